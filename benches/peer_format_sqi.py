#!/usr/bin/env python3
"""Print servgap's SQI CSV output in the peers' CSV block format (../shared/bench/README.md),
so that ../shared/bench/compare.py can check servgap against pandas, polars and DuckDB.

    servgap sqi INCIDENTS --volume VOLUME --by site --format csv | python3 benches/peer_format_sqi.py > out.csv
    python3 ../shared/bench/compare.py out.csv peer_out.csv

Without a volume file the peers print `date,site,points` only; pass --no-volume.
"""
import csv
import sys


def blocks(lines):
    title, rows = None, []
    for line in lines:
        if line.startswith("# "):
            if title:
                yield title, rows
            title, rows = line[2:].strip(), []
        elif line.strip():
            rows.append(line)
    if title:
        yield title, rows


def main():
    volume = "--no-volume" not in sys.argv
    out = csv.writer(sys.stdout, lineterminator="\n")
    got = {t: list(csv.DictReader(rows)) for t, rows in blocks(sys.stdin)}
    out.writerow(["date", "site", "points"] + (["volume", "points_per_1000"] if volume else []))
    for r in got["periods"]:
        extra = [r["volume"], r["points_per_unit"]] if volume else []
        out.writerow([r["period"], r["site"], r["points"]] + extra)
    sys.stdout.write("\n")
    out.writerow(["category", "weight", "count", "points", "share_pct", "cum_pct"])
    for r in got["pareto"]:
        out.writerow([r["category"], r["weight"], r["count"], r["points"],
                      repr(float(r["share"]) * 100), repr(float(r["cumulative"]) * 100)])


if __name__ == "__main__":
    main()
