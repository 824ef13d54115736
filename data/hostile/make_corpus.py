#!/usr/bin/env python3
"""Writes the hostile-input corpus: data/hostile/files/*.csv and the manifest
data/hostile/cases.csv, one row per case with its written expectation.

    python3 data/hostile/make_corpus.py

The corpus is what real exports contain when they go wrong, run through the
real binary by crates/servgap-cli/tests/hostile.rs: every reader of SPEC §3
(survey long / wide / summary / three-column, columns map, instrument,
importance, management, delivery, standards, hard standards, events,
incidents, weights, volume) crossed with every kind of damage (empty, header
only, ragged, unterminated quote, invalid bytes, NUL, huge field, duplicate
header, NaN / inf / 1e1 / negative numbers, duplicate keys, impossible
dates, lone CR line ends, a BOM, GB18030), plus one case per item of the
issue that asked for it.

Manifest columns:
  case     the case's name (also the stem of its main file)
  args     the command line after `servgap`, split on spaces; paths are
           relative to the repository root; {tmp} is a folder the test fills
           with the files too large to commit (see hostile.rs)
  stdin    a file piped to standard input, or empty
  exit     the exit code expected
  stderr   text that standard error must hold, several joined by ' && '
           (empty: standard error must be empty)
  json     for exit 0 and --format json: checks `path=value`, joined by ';'
           (path: keys and array indexes joined by '.'; value: JSON)
  expect   the expectation in words
Standard library only; the same run writes the same bytes.
"""

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
REL = "data/hostile/files"

cases = []


def write(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(FILES, name), "wb") as f:
        f.write(data)
    return f"{REL}/{name}"


def case(name, args, exit, stderr="", expect="", stdin="", json=""):
    cases.append(
        {
            "case": name,
            "args": args,
            "stdin": stdin,
            "exit": exit,
            "stderr": stderr,
            "json": json,
            "expect": expect,
        }
    )


# Companion files: valid inputs that the readers under test run beside.
SURVEY = "respondent_id,item,expectation,perception\nR1,q01,5,4\nR1,q02,6,5\nR1,q05,6,4\nR2,q01,4,4\n"
EVENTS = "date,wait,secs\n2026-01-01,3,50\n2026-01-02,5,70\n"
HARD = "standard_id,description,metric,op,threshold,target\ngreet,Greet,wait,<=,4,0.9\n"
LOG = "date,site,category\n2026-01-01,a,lost\n2026-01-02,b,damaged\n"


def companions():
    return {
        "survey": write("companion_survey.csv", SURVEY),
        "events": write("companion_events.csv", EVENTS),
        "hard": write("companion_hard.csv", HARD),
        "log": write("companion_log.csv", LOG),
        "mapped": write("companion_mapped_survey.csv", "A,B\n5,4\n6,5\n"),
        "example": "data/example_survey.csv",
    }


# Every reader: a valid header and rows, the command that reads it ({f} is
# the file), and which columns hold what (for the expectations below).
def readers(c):
    return {
        "long": dict(
            header="respondent_id,item,expectation,perception",
            rows=["R1,q01,5,4", "R1,q02,6,5", "R2,q01,4,4"],
            args="survey {f}",
            number="score", key="respondent × item", data=True,
        ),
        "wide": dict(
            header="respondent_id,e_q01,p_q01",
            rows=["R1,5,4", "R2,6,5"],
            args="survey {f}",
            number="score", key="respondent", data=True,
        ),
        "summary": dict(
            header="item,mean_e,mean_p,n",
            rows=["q01,5,4,10", "q02,6,5,10"],
            args="survey {f}",
            number="n", key="item", data=True,
        ),
        "three_column": dict(
            header="respondent_id,item,adequate,desired,perception",
            rows=["R1,q01,4,6,5", "R2,q01,3,6,4"],
            args="survey {f}",
            number="score", key="respondent × item", data=True,
        ),
        "columns_map": dict(
            header="column,item,measure",
            rows=["A,q01,expectation", "B,q01,perception"],
            args="survey " + c["mapped"] + " --columns {f}",
            number="text", key="mapped twice", data=False,
        ),
        "instrument": dict(
            header="item,dimension",
            rows=["q01,Tangibles", "q02,Tangibles", "q05,Reliability"],
            args="survey " + c["survey"] + " --instrument {f}",
            number="text", key="item", data=False,
        ),
        "importance": dict(
            header="respondent_id,dimension,points",
            rows=["R1,Tangibles,50", "R1,Reliability,50"],
            args="survey " + c["survey"] + " --importance {f}",
            number="weight", key="respondent × dimension", data=True,
        ),
        "management": dict(
            header="respondent_id,item,score",
            rows=["M1,q01,5", "M1,q02,6"],
            args="gaps --customers " + c["example"] + " --management {f}",
            number="score", key="respondent × item", data=True,
        ),
        "delivery": dict(
            header="respondent_id,item,score",
            rows=["A1,q01,5", "A1,q02,6"],
            args="gaps --customers " + c["example"] + " --delivery {f}",
            number="score", key="respondent × item", data=True,
        ),
        "standards": dict(
            header="item,standard,promise",
            rows=["q01,5,5", "q02,6,6"],
            args="gaps --customers " + c["example"] + " --standards {f}",
            number="level", key="standard", data=False,
        ),
        "hard_standards": dict(
            header="standard_id,description,metric,op,threshold,target",
            rows=["greet,Greet,wait,<=,4,0.9", "answer,Answer,secs,<=,60,0.8"],
            args="compliance " + c["events"] + " --standards {f}",
            number="target", key="standard", data=False,
        ),
        "events": dict(
            header="date,site,wait",
            rows=["2026-01-01,a,3", "2026-01-02,b,5"],
            args="compliance {f} --standards " + c["hard"] + " --period day",
            number="metric", key=None, data=True, dates=True,
        ),
        "incidents": dict(
            header="date,site,category,count",
            rows=["2026-01-01,a,lost,2", "2026-01-02,b,damaged,1"],
            args="sqi {f} --by site",
            number="count", key=None, data=True, dates=True,
        ),
        "weights": dict(
            header="category,weight",
            rows=["lost,10", "damaged,5", "right_day_late,1"],
            args="sqi " + c["log"] + " --weights {f}",
            number="weight", key="category", data=False,
        ),
        "volume": dict(
            header="date,site,volume",
            rows=["2026-01-01,a,100", "2026-01-02,b,200"],
            args="sqi " + c["log"] + " --by site --volume {f}",
            number="volume", key="volume", data=True, dates=True,
        ),
    }


def matrix(c):
    for name, r in readers(c).items():
        h, rows = r["header"], r["rows"]
        cols = h.split(",")
        first = rows[0].split(",")
        last_col = cols[-1]
        text = lambda body: h + "\n" + "\n".join(body) + "\n"

        def run(kind, data, exit, stderr="", expect="", stdin=False):
            f = write(f"{name}__{kind}.csv", data)
            args = r["args"].format(f="-" if stdin else f)
            case(f"{name}__{kind}", args, exit, stderr, expect, stdin=f if stdin else "")

        run("ok", text(rows), 0, "", "a valid file is read")
        run("empty", "", 3, "the file is empty", "an empty file has no header: exit 3")
        run("empty_stdin", "", 3, "<stdin>: the input is empty", "empty standard input: exit 3", stdin=True)
        run("header_only", h + "\n", 3, f"{name}__header_only.csv:1: && no data rows",
            "a header without data rows is nothing to analyse (SPEC §3)")
        run("header_and_blank_lines", h + "\n\n\r\n\n", 3, "no data rows",
            "blank lines are not data rows")
        ragged = text([rows[0] + ",extra"] + rows[1:])
        run("ragged", ragged, 3, ":2: && the record has", "a row with more fields than the header: exit 3 naming line 2")
        short = text([",".join(first[:-1])] + rows[1:])
        run("short_row", short, 3, ":2: && the record has", "a row with fewer fields than the header: exit 3 naming line 2")
        run("unterminated_quote", text(rows) + '"' + rows[0] + "\n", 3,
            f":{len(rows) + 2}: && never closed",
            "a quoted field the file ends inside: exit 3 naming the line it opens on")
        run("invalid_bytes_in_ascii", (h + "\n").encode() + rows[0].encode() + b"\xff\n" + "\n".join(rows[1:]).encode() + b"\n",
            3, ":2: && FF && --encoding",
            "a byte neither UTF-8 nor GB18030 can decode: exit 3 naming line 2, the byte in hex and --encoding")
        run("nul_byte", (h + "\n" + rows[0]).encode() + b"\x00\n" + "\n".join(rows[1:]).encode() + b"\n", 3,
            ":2: && NUL && 00", "a NUL byte is never data: exit 3 naming line 2")
        run("duplicate_header", h + "," + last_col.upper() + "\n" + "\n".join(x + ",1" for x in rows) + "\n", 3,
            f"column {len(cols)} && column {len(cols) + 1} && same name",
            "two columns whose names match ignoring case: exit 3 naming both")
        run("lone_cr", (h + "\r" + "\r".join(rows) + "\r"), 0, "",
            "old Mac line ends (lone CR) read as line ends")
        run("crlf_bom", "\ufeff" + h + "\r\n" + "\r\n".join(rows) + "\r\n", 0, "",
            "Excel's CSV UTF-8: a BOM and CRLF line ends")
        run("quoted_fields", h + "\n" + "\n".join(",".join(f'"{v}"' for v in x.split(",")) for x in rows) + "\n", 0, "",
            "every field quoted reads as unquoted")
        # a huge value in the last column: a short message, never 3 MB on
        # stderr (the test writes {tmp}/NAME.csv from NAME.csv.in, {huge}
        # made 3,000,000 nines)
        write(f"{name}__huge_field.csv.in", text([",".join(first[:-1] + ["{huge}"])] + rows[1:]))
        huge_ok = name == "instrument"  # the last column is a dimension name
        case(f"{name}__huge_field", r["args"].format(f="{tmp}/" + f"{name}__huge_field.csv"),
             0 if huge_ok else 3,
             "" if huge_ok else "(3000000 characters)",
             "a 3 MB dimension name is a name" if huge_ok
             else "a 3 MB value is quoted by its first 80 characters and its length")
        # numbers
        if r["number"] != "text":
            for v, label in [("NaN", "nan"), ("inf", "inf"), ("-inf", "minus_inf")]:
                run(f"number_{label}", text([",".join(first[:-1] + [v])] + rows[1:]), 3, f":2: && '{v}'",
                    f"{v} is not a finite number: exit 3 naming line 2 and the value")
            whole_ok = r["number"] in ("n", "weight", "volume", "count", "metric")
            run("number_1e1", text([",".join(first[:-1] + ["1e1"])] + rows[1:]),
                0 if whole_ok else 3, "" if whole_ok else ":2: && '1e1'",
                "1e1 is 10: a valid " + r["number"] if whole_ok else "1e1 is 10: outside the 1-7 scale or the 0-1 share")
            neg_ok = r["number"] == "metric"
            run("number_negative", text([",".join(first[:-1] + ["-1"])] + rows[1:]),
                0 if neg_ok else 3, "" if neg_ok else ":2: && '-1'",
                "a negative metric is a measurement" if neg_ok else "a negative value is invalid here")
        # keys
        if r["key"]:
            extra = rows[0]
            if name == "columns_map":
                extra = "A,q02,expectation"
            first_named = "line 2" if name == "columns_map" else "first on line 2"
            run("duplicate_key", text(rows + [extra]), 3, f":{len(rows) + 2}: && {first_named}",
                f"a {r['key']} given twice: exit 3 naming both lines")
        if r.get("dates"):
            run("impossible_date", text(rows).replace("2026-01-01", "2026-02-30"), 3, ":2: && '2026-02-30'",
                "2026-02-30 is not a date: exit 3 naming line 2 and the value")
            run("timestamp_dates", text(rows).replace("2026-01-01", "2026-01-01T08:30:00+08:00"), 0, "",
                "RFC 3339 timestamps are dates")
        if r["data"]:
            # --on-invalid skip: counted, and said on stderr whatever the format
            skip = text([rows[0] + ",extra"] + rows[1:])
            f = write(f"{name}__skipped_row.csv", skip)
            case(f"{name}__skipped_row", r["args"].format(f=f) + " --on-invalid skip --format csv", 0,
                 f"{name}__skipped_row.csv: 1 of && wrong number of fields (line 2)",
                 "with --on-invalid skip a bad row is skipped, counted, and said on stderr even for --format csv")


def issue_cases(c):
    """One case per item of the issue (18) that asked for this corpus."""
    # 1. strict decoding
    log = "date,site,category\n2026-01-01,上海,lost\n2026-01-01,北京,lost\n".encode() + b"2026-01-01,Caf\xe9,lost\n" + "2026-01-02,上海,damaged\n".encode()
    f = write("latin1_byte_in_utf8_log.csv", log)
    case("latin1_byte_in_utf8_log", f"sqi {f} --by site", 3,
         "latin1_byte_in_utf8_log.csv:4: && column 2 'site' && not valid UTF-8 && E9 && --encoding",
         "a UTF-8 log with one Latin-1 byte: invalid UTF-8 at that line, not re-read as GB18030")
    case("latin1_byte_in_utf8_log_stdin", "sqi - --by site", 3,
         "<stdin>:4: && not valid UTF-8 && E9", "the same on standard input", stdin=f)
    case("latin1_byte_named_utf8", f"sqi {f} --by site --encoding utf-8", 3,
         ":4: && not valid UTF-8 && E9", "--encoding utf-8 is strict: no U+FFFD")
    case("latin1_byte_named_gb18030", f"sqi {f} --by site --encoding gb18030", 3,
         ":4: && not valid gb18030 && E9",
         "named GB18030, the UTF-8 CJK bytes happen to be valid GB18030 (上海 reads as 涓婃捣, as "
         "asked), but E9 2C is not: strict decoding stops there")
    case("latin1_byte_late_in_stdin", "sqi - --by site", 3, "<stdin>:50002: && E9",
         "bad bytes after the first MiB of standard input are found all the same", stdin="{tmp}/late_latin1.csv")
    gb = "date,site,category\n2026-01-01,上海,lost\n2026-01-02,广州,damaged\n".encode("gb18030")
    f = write("gb18030_log.csv", gb)
    case("gb18030_log", f"sqi {f} --by site --format json", 0, "",
         "GB18030 (Excel's CSV on a Chinese Windows) is detected and decoded",
         json="inputs.encoding=\"gb18030\";periods.0.site=\"上海\";periods.1.site=\"广州\"")
    case("gb18030_log_stdin", "sqi - --by site --format json", 0, "", "the same on standard input",
         stdin=f, json="inputs.encoding=\"gb18030\";periods.0.site=\"上海\"")
    gbbad = "date,site,category\n2026-01-01,上海,lost\n".encode("gb18030") + b"2026-01-02,\x81\x20,lost\n"
    f = write("gb18030_invalid_pair.csv", gbbad)
    case("gb18030_invalid_pair", f"sqi {f} --by site", 3, ":3: && neither UTF-8 nor gb18030 && 81",
         "GB18030 with a broken pair: exit 3 naming the line and bytes")
    f = write("utf16_with_bom.csv", b"\xff\xfe" + "date,category\n2026-01-01,lost\n".encode("utf-16-le"))
    case("utf16_with_bom", f"sqi {f} --format json", 0, "", "a UTF-16 file with its BOM is decoded",
         json="rows_used=1;inputs.encoding=\"UTF-16LE\"")
    f = write("utf16_without_bom.csv", "date,category\n2026-01-01,lost\n".encode("utf-16-le"))
    case("utf16_without_bom", f"sqi {f}", 3, ":1: && NUL && utf-16le", "UTF-16 without a BOM: exit 3 suggesting --encoding utf-16le")
    case("utf16_without_bom_named", f"sqi {f} --encoding utf-16le --format json", 0, "",
         "… and read with --encoding utf-16le", json="rows_used=1")
    # 3. crashes
    f = write("two_categories_a_day.csv", "date,category\n2026-01-01,lost\n2026-01-01,damaged\n2026-01-02,lost\n")
    case("by_category", f"sqi {f} --by category --format json", 0, "",
         "--by category groups by the category column; a period with two categories does not panic",
         json="periods.0.category=\"damaged\";periods.0.points=10;periods.1.category=\"lost\";periods.2.points=10")
    f2 = write("counts_by_count.csv", "date,category,count\n2026-01-01,lost,2\n2026-01-01,damaged,3\n")
    case("by_count_column", f"sqi {f2} --by count --format json", 0, "",
         "--by count groups by the count column and still counts it: 2 lost = 20 points, 3 damaged = 30",
         json="periods.0.count=\"2\";periods.0.points=20;periods.1.points=30")
    case("threads_100000", f"sqi {f} --threads 100000 --format json", 0, "", "--threads is capped, never a failed spawn",
         json="rows_used=3")
    # 4. accepted before, refused now
    f = write("long_duplicate_header.csv", "respondent_id,item,expectation,perception,perception\nR1,q01,5,4,4\n")
    case("long_duplicate_perception", f"survey {f}", 3, "column 4 'perception' && column 5 'perception' && same name",
         "a long survey with perception twice: exit 3 naming both columns")
    f = write("wide_duplicate_header.csv", "respondent_id,e_q01,p_q01,e_q01\nR1,5,4,6\n")
    case("wide_duplicate_e_column", f"survey {f}", 3, "column 2 'e_q01' && column 4 'e_q01'",
         "a wide survey with e_q01 twice (the later used to win silently): exit 3 naming both")
    f = write("header_only_survey.csv", "respondent_id,item,expectation,perception\n")
    case("header_only_survey", f"survey {f}", 3, "no data rows", "a header and no data rows: exit 3")
    f = write("lone_cr_survey.csv", "respondent_id,item,expectation,perception\rR1,q01,5,4\rR2,q01,6,5\r")
    case("lone_cr_survey", f"survey {f} --format json", 0, "", "lone CR line ends are line ends",
         json="rows_read=2;items.0.n=2;items.0.gap=-1")
    for v, label in [("2.5", "fraction"), ("1e23", "too_large"), ("0", "zero")]:
        f = write(f"summary_n_{label}.csv", f"item,mean_e,mean_p,n\nq01,5,4,{v}\nq02,6,5,3\n")
        case(f"summary_n_{label}", f"survey {f}", 3, f":2: && column 4 'n' && '{v}'",
             f"summary n = {v} is not a whole number of at least 1: exit 3 naming n and the value")
    f = write("summary_unknown_item.csv", "item,mean_e,mean_p\nq01,5,4\nq99,6,5\n")
    case("summary_unknown_item", f"survey {f}", 3, "summary_unknown_item.csv:3: && column 1 'item' && 'q99'",
         "an unknown item in a summary names the file, line and column like the other forms")
    case("summary_unknown_item_skipped", f"survey {f} --on-invalid skip --format json", 0, "1 unknown item (line 3)",
         "… and is skipped and counted with --on-invalid skip", json="rows_read=2;rows_used=1;rows_rejected=1")
    f = write("wide_e_without_p.csv", "respondent_id,e_q01,p_q01,e_q02\nR1,5,4,6\n")
    case("wide_e_without_p", f"survey {f}", 3, "column 4 'e_q02' && no perception",
         "e_q02 without p_q02: exit 3 naming the column and what is missing (not n = 0)")
    f = write("wide_p_without_e.csv", "respondent_id,e_q01,p_q01,p_q02\nR1,5,4,6\n")
    case("wide_p_without_e", f"survey {f}", 3, "column 4 'p_q02' && no expectation", "p_q02 without e_q02: exit 3")
    m = write("map_one_column_twice.csv", "column,item,measure\nA,q01,expectation\nB,q01,perception\nA,q02,expectation\nC,q02,perception\n")
    s = write("map_survey.csv", "A,B,C\n5,4,3\n")
    case("columns_map_one_column_twice", f"survey {s} --columns {m}", 3,
         "map_one_column_twice.csv:4: && mapped twice && line 2",
         "one survey column mapped to two items: exit 3 naming the map's lines")
    p = write("importance_absent_respondents.csv",
              "respondent_id,dimension,points\nR1,Tangibles,60\nR1,Reliability,40\nr2,Tangibles,100\nR9,Empathy,100\n")
    case("importance_absent_respondents", f"survey {c['survey']} --importance {p} --format json", 0,
         "importance_absent_respondents.csv: 2 of 4 rows rejected",
         "points of respondents the survey lacks (r2 differs from R2 only in case) are counted as rejected with reasons",
         json="importance_rows.rows_read=4;importance_rows.rows_used=2;importance_rows.rows_rejected=2;"
              "importance_rows.rejections.0.reason=\"respondent id differs from the survey's only in case\";"
              "importance_rows.rejections.1.reason=\"respondent not in the survey\";servqual.weighted_n=1")
    p2 = write("importance_no_match.csv", "respondent_id,dimension,points\nX1,Tangibles,100\n")
    case("importance_no_respondent_matches", f"survey {c['survey']} --importance {p2} --format json", 0,
         "1 of 1 row rejected", "no respondent matches: weighted is null and the reason is said",
         json="servqual.weighted=null;importance_rows.rows_used=0")
    for flag, v in [("--max-points", "NaN"), ("--max-per-unit", "nan"), ("--max-points", "inf"), ("--per", "0"), ("--per", "NaN")]:
        case(f"sqi_{flag[2:].replace('-', '_')}_{v.lower()}", f"sqi {c['log']} {flag} {v}", 2, f"'{v}'",
             f"{flag} {v} would switch the check off or divide by nothing: usage error")
    case("by_same_column_twice", f"sqi {c['log']} --by site --by site", 2, "--by site && give it once",
         "--by naming one column twice: usage error, not a false data error")
    case("by_same_column_other_case", f"survey data/example_survey.csv --by site --by SITE", 2, "give it once",
         "--by site --by SITE name one column")
    case("two_inputs_on_stdin", "gaps --customers - --management -", 2, "--customers, --management && standard input",
         "two inputs cannot share standard input: usage error", stdin=c["survey"])
    case("weights_typo", f"sqi {c['log']} --weights fedex13", 2, "'fedex13' && fedex12, evans10",
         "a built-in name mistyped: usage error listing the built-ins")
    case("instrument_typo", f"survey {c['survey']} --instrument servqual23", 2, "servqual22",
         "a built-in instrument mistyped: usage error")
    case("weights_missing_file", f"sqi {c['log']} --weights missing/weights.csv", 4, "missing/weights.csv",
         "a path that does not exist is an I/O error naming it")
    case("output_into_missing_folder", f"sqi {c['log']} -o missing_folder/out.json", 4,
         "missing_folder/out.json && does not exist", "the error names the path given, never a temporary file")
    case("huge_id_value", f"sqi {{tmp}}/huge_category.csv", 3, "(3000000 characters)",
         "a 3 MB unknown category: quoted by 80 characters and its length, also in the weights' list")
    # 5. rejections are never silent
    f = write("skipped_rows.csv", "date,site,category\n2026-01-01,a,lost\n2026-01-01,b,lsot\nbad,a,lost\n2026-01-02,a,damaged\n")
    case("skipped_rows_csv", f"sqi {f} --on-invalid skip --format csv", 0,
         "skipped_rows.csv: 2 of 4 rows rejected: 1 unknown category (line 3), 1 invalid date (line 4)",
         "with --format csv the skipped rows are said on stderr")
    case("skipped_rows_json_to_file", f"sqi {f} --on-invalid skip -o {{tmp}}/skipped.json", 0,
         "2 of 4 rows rejected", "… and with --output")
    m = write("management_bad_rows.csv", "respondent_id,item,score\nM1,q01,5\nM1,q99,5\nM1,q02,9\n")
    case("gaps_management_reasons", f"gaps --customers {c['example']} --management {m} --on-invalid skip", 0,
         "management_bad_rows.csv: 2 of 3 rows rejected && unknown item && outside the scale",
         "gaps says why management rows were rejected (stderr, and the table footer)")
    # survey-wide edge cases
    f = write("all_rows_of_commas.csv", "respondent_id,item,expectation,perception\nR1,q01,5,4\n,,,\n")
    case("row_of_commas", f"survey {f}", 3, ":3: && respondent id is empty",
         "a row of empty fields is a row with an empty id: exit 3 naming it")
    f = write("trailing_empty_columns.csv", "respondent_id,item,expectation,perception,,\nR1,q01,5,4,,\n")
    case("trailing_empty_columns", f"survey {f} --format json", 0, "",
         "spreadsheet exports' trailing empty columns have empty names that may repeat", json="rows_used=1")


def main():
    os.makedirs(FILES, exist_ok=True)
    for old in os.listdir(FILES):
        os.remove(os.path.join(FILES, old))
    c = companions()
    matrix(c)
    issue_cases(c)
    with open(os.path.join(HERE, "cases.csv"), "w", newline="", encoding="utf-8") as out:
        w = csv.DictWriter(out, fieldnames=["case", "args", "stdin", "exit", "stderr", "json", "expect"], lineterminator="\n")
        w.writeheader()
        for row in cases:
            w.writerow(row)
    print(f"{len(cases)} cases, {len(os.listdir(FILES))} files")


if __name__ == "__main__":
    main()
