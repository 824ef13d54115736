//! Every renderer pinned on results constructed here, not read from files:
//! each report in each format (terminal table, Markdown, JSON, CSV) is an
//! `insta` snapshot. The results hold what the renderers must get right:
//! unavailable figures, negative numbers, p-values below 0.0001, CJK and
//! Markdown-special labels, text a spreadsheet would run as a formula,
//! groups, rejections and failed checks.

use chrono::NaiveDate;

use super::{render, write, Format, Layout, Report};
use crate::compliance::{ComplianceGroup, ComplianceInputs, ComplianceReport, StandardCompliance};
use crate::gaps::{
    DimensionGaps, GapGroup, GapModel, GapTables, GapsInputs, GapsReport, ItemGaps, OverallGaps,
};
use crate::model::responses::SurveyForm;
use crate::model::standards::Op;
use crate::model::tallies::{OnInvalid, Rejection, RowCounts};
use crate::period::PeriodKind;
use crate::survey::compare::{Comparison, GroupKey, PairComparison};
use crate::survey::{
    DimensionScore, IpaRow, ItemGap, ItemReliabilityRow, Quadrant, ServqualScore, SurveyGroup,
    SurveyInputs, SurveyReport, SurveyTables, ZonePosition, ZoneRow,
};

/// Every format of `report`, as named snapshots `<name>_<format>`: for
/// CSV every data table (each headed `## NAME` in the snapshot), for xlsx
/// the workbook read back, a sheet at a time.
fn snapshot_all<R: Report>(name: &str, report: &R) {
    for (format, ext) in [
        (Format::Table, "table"),
        (Format::Markdown, "markdown"),
        (Format::Json, "json"),
    ] {
        let text = render(report, format).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("{name}_{ext}"), text);
    }
    insta::assert_snapshot!(format!("{name}_csv"), every_csv_table(report));
    insta::assert_snapshot!(format!("{name}_xlsx"), workbook_text(&xlsx(report)));
}

/// Every data table of `report` as CSV, each after a `## NAME` line.
fn every_csv_table<R: Report>(report: &R) -> String {
    let mut out = String::new();
    for table in report.table_names() {
        let layout = Layout {
            table: Some(table.clone()),
            ..Layout::default()
        };
        let mut buf = Vec::new();
        write(report, Format::Csv, &layout, &mut buf).unwrap_or_else(|e| panic!("{e}"));
        out.push_str(&format!("## {table}\n{}\n", String::from_utf8_lossy(&buf)));
    }
    out
}

/// Every table of `report` in `format` as text (CSV: every data table;
/// xlsx: the workbook read back).
fn every_table<R: Report>(report: &R, format: Format) -> String {
    match format {
        Format::Csv => every_csv_table(report),
        Format::Xlsx => workbook_text(&xlsx(report)),
        _ => render(report, format).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// `report` as an xlsx workbook.
fn xlsx<R: Report>(report: &R) -> Vec<u8> {
    let mut buf = Vec::new();
    write(report, Format::Xlsx, &Layout::default(), &mut buf).unwrap_or_else(|e| panic!("{e}"));
    buf
}

/// Each sheet of a workbook read back with calamine: its name, then its
/// rows with the cells' types (`s:` text, `n:` number, `b:` boolean, `·`
/// empty), separated by ` | `.
pub(crate) fn workbook_text(bytes: &[u8]) -> String {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = String::new();
    for sheet in book.sheet_names() {
        let range = book
            .worksheet_range(&sheet)
            .unwrap_or_else(|e| panic!("{e}"));
        let formulas = book
            .worksheet_formula(&sheet)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "a formula in sheet {sheet}"
        );
        out.push_str(&format!("== {sheet}\n"));
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::String(s) => format!("s:{s}"),
                    Data::Float(v) => format!("n:{v}"),
                    Data::Int(v) => format!("n:{v}"),
                    Data::Bool(b) => format!("b:{b}"),
                    Data::Empty => "·".into(),
                    other => format!("?:{other:?}"),
                })
                .collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}

fn counts(read: u64, used: u64, rejections: Vec<Rejection>) -> RowCounts {
    RowCounts {
        rows_read: read,
        rows_used: used,
        rows_rejected: rejections.iter().map(|r| r.count).sum(),
        rejections,
    }
}

fn rejection(reason: &str, count: u64, first_line: u64) -> Rejection {
    Rejection {
        reason: reason.into(),
        count,
        first_line,
    }
}

fn item(id: &str, dim: &str, n: u64, e: f64, p: f64, p_value: f64) -> ItemGap {
    ItemGap {
        item: id.into(),
        dimension: dim.into(),
        n: Some(n),
        mean_e: Some(e),
        mean_p: Some(p),
        gap: Some(p - e),
        sd: Some(0.5),
        se: Some(0.125),
        ci_low: Some(p - e - 0.25),
        ci_high: Some(p - e + 0.25),
        t: Some((p - e) / 0.125),
        p_value: Some(p_value),
    }
}

fn survey_tables(respondents: u64, shift: f64) -> SurveyTables {
    SurveyTables {
        respondents,
        items: vec![
            item("q01", "可靠性", respondents, 6.0, 5.5 + shift, 0.00001),
            item("q|02", "可靠性", respondents, 5.0, 5.25 + shift, 0.25),
            ItemGap {
                n: Some(0),
                mean_e: None,
                mean_p: None,
                gap: None,
                sd: None,
                se: None,
                ci_low: None,
                ci_high: None,
                t: None,
                p_value: None,
                ..item("=q03", "Tangibles", 0, 0.0, 0.0, 1.0)
            },
        ],
        dimensions: vec![DimensionScore {
            dimension: "可靠性".into(),
            n: Some(respondents),
            mean_e: Some(5.5),
            mean_p: Some(5.375 + shift),
            gap: Some(-0.125 + shift),
            sd: Some(1.0 / 3.0),
            se: Some(0.1),
            ci_low: Some(-0.4),
            ci_high: Some(0.15),
            t: Some(-1.25),
            p_value: Some(0.2143),
            alpha_e: Some(0.8125),
            alpha_p: None,
            alpha_gap: Some(-0.5),
        }],
        servqual: ServqualScore {
            unweighted: Some(-0.125 + shift),
            weighted: None,
            weighted_n: None,
        },
        zone: vec![ZoneRow {
            item: Some("q01".into()),
            dimension: None,
            n: Some(respondents),
            mean_adequate: Some(4.0),
            mean_desired: Some(6.5),
            mean_p: Some(5.5 + shift),
            msa: Some(1.5 + shift),
            mss: Some(-1.0 + shift),
            position: Some(ZonePosition::Within),
        }],
        ipa: vec![IpaRow {
            dimension: "可靠性".into(),
            importance: Some(0.3),
            performance: Some(5.375 + shift),
            quadrant: Some(Quadrant::KeepUp),
        }],
        reliability: vec![
            ItemReliabilityRow {
                dimension: "可靠性".into(),
                item: "q01".into(),
                scale: "e",
                alpha_if_deleted: Some(0.9 + shift / 10.0),
                item_total_r: Some(0.42),
            },
            ItemReliabilityRow {
                dimension: "可靠性".into(),
                item: "q|02".into(),
                scale: "gap",
                alpha_if_deleted: None,
                item_total_r: Some(-0.1),
            },
        ],
        comparisons: Vec::new(),
    }
}

/// The group comparisons of the survey fixture: one dimension, one
/// excluded group, the pair with its p-values.
fn comparisons() -> Vec<Comparison> {
    let key = |v: &str| GroupKey(vec![("门店".into(), v.into())]);
    vec![Comparison {
        dimension: "overall".into(),
        groups: 2,
        welch_f: Some(12.5),
        df1: Some(1.0),
        df2: Some(3.2),
        p_value: Some(0.00004),
        excluded: vec![key("=单人店")],
        pairs: vec![PairComparison {
            a: key("北京"),
            b: key("+上海"),
            diff: -1.0,
            t: Some(-3.5),
            df: Some(3.2),
            p_value: Some(0.00004),
            p_holm: Some(0.00004),
        }],
    }]
}

/// The survey report the renderers are pinned on.
pub(super) fn survey_report() -> SurveyReport {
    SurveyReport {
        schema: crate::survey::SURVEY_SCHEMA,
        inputs: SurveyInputs {
            survey: "survey.csv".into(),
            form: SurveyForm::Long,
            encoding: "GB18030".into(),
            instrument: "servqual22".into(),
            importance: Some("points.csv".into()),
            columns: None,
            scale: "1-7".into(),
            by: vec!["门店".into()],
            on_invalid: OnInvalid::Skip,
        },
        rows_read: 9,
        rows_used: 8,
        rows_rejected: 1,
        rejections: vec![rejection("score outside the scale", 1, 7)],
        importance_rows: Some(counts(
            4,
            3,
            vec![rejection("respondent not in the survey", 1, 5)],
        )),
        all: SurveyTables {
            comparisons: comparisons(),
            ..survey_tables(4, 0.0)
        },
        groups: vec![
            SurveyGroup {
                key: vec![("门店".into(), "北京".into())],
                tables: survey_tables(2, -0.5),
            },
            SurveyGroup {
                key: vec![("门店".into(), "+上海".into())],
                tables: survey_tables(2, 0.5),
            },
        ],
    }
}

#[test]
fn survey_report_in_every_format() {
    snapshot_all("survey", &survey_report());
}

fn gap_tables(shift: f64) -> GapTables {
    GapTables {
        respondents: 4,
        managers: 2,
        assessors: 1,
        items: vec![ItemGaps {
            item: "q01".into(),
            dimension: "Reliability".into(),
            mean_e: Some(6.0),
            mean_p: Some(5.5 + shift),
            management: Some(5.25),
            standard: None,
            promise: Some(6.5),
            delivery: Some(5.0),
            gap1: Some(-0.75),
            gap2: None,
            gap3: None,
            gap4: Some(-1.5),
            gap5: Some(-0.5 + shift),
        }],
        dimensions: vec![DimensionGaps {
            dimension: "Reliability".into(),
            mean_e: Some(6.0),
            mean_p: Some(5.5 + shift),
            management: Some(5.25),
            standard: None,
            promise: Some(6.5),
            delivery: Some(5.0),
            gap1: Some(-0.75),
            gap2: None,
            gap3: None,
            gap4: Some(-1.5),
            gap5: Some(-0.5 + shift),
            largest_shortfall: Some("gap4".into()),
        }],
        overall: OverallGaps {
            gap1: Some(-0.75),
            gap2: None,
            gap3: None,
            gap4: Some(-1.5),
            gap5: Some(-0.5 + shift),
            largest_shortfall: Some("gap4".into()),
        },
    }
}

/// The gaps report the renderers are pinned on.
pub(super) fn gaps_report() -> GapsReport {
    GapsReport {
        schema: "servgap/gaps/v1",
        inputs: GapsInputs {
            customers: "customers.csv".into(),
            encoding: "UTF-8".into(),
            instrument: "servqual22".into(),
            management: Some("management.csv".into()),
            standards: None,
            delivery: Some("delivery.csv".into()),
            model: GapModel::Pzb,
            scale: "1-7".into(),
            by: vec!["site".into()],
        },
        rows_read: 8,
        rows_used: 8,
        rows_rejected: 0,
        rejections: vec![],
        management_rows: Some(counts(4, 4, vec![])),
        standards_rows: None,
        delivery_rows: Some(counts(3, 2, vec![rejection("not a number", 1, 3)])),
        all: gap_tables(0.0),
        groups: vec![GapGroup {
            key: vec![("site".into(), "A".into())],
            tables: gap_tables(0.25),
        }],
    }
}

#[test]
fn gaps_report_in_every_format() {
    snapshot_all("gaps", &gaps_report());
}

fn standard(id: &str, events: u64, compliant: u64, target: f64) -> StandardCompliance {
    let compliance = (events > 0).then(|| compliant as f64 / events as f64);
    StandardCompliance {
        standard_id: id.into(),
        description: "Greeted within 4 minutes, 问候".into(),
        metric: "wait_minutes".into(),
        op: Op::Le,
        threshold: 4.0,
        item: Some("q12".into()),
        events,
        missing: 1,
        out_of_scope: 2,
        compliant,
        compliance,
        ci_low: compliance.map(|c| c - 0.05),
        ci_high: compliance.map(|c| (c + 0.05).min(1.0)),
        target,
        gap: compliance.map(|c| c - target),
        pass: compliance.map(|c| c >= target),
    }
}

/// The compliance report the renderers are pinned on.
pub(super) fn compliance_report() -> ComplianceReport {
    let month = PeriodKind::Month
        .period_of(NaiveDate::from_ymd_opt(2026, 3, 14).unwrap_or_default())
        .0;
    ComplianceReport {
        schema: "servgap/compliance/v1",
        inputs: ComplianceInputs {
            events: "events.csv".into(),
            encoding: "UTF-8".into(),
            standards: "standards.csv".into(),
            by: vec!["site".into()],
            period: Some(PeriodKind::Month),
            date: Some("date".into()),
            miss_rule: Default::default(),
        },
        rows_read: 41,
        rows_used: 40,
        rows_rejected: 1,
        rejections: vec![rejection("invalid metric", 1, 12)],
        standards_rows: counts(2, 2, vec![]),
        standards: vec![
            standard("greet_4min", 40, 39, 0.95),
            standard("no_events", 0, 0, 0.9),
        ],
        groups: vec![ComplianceGroup {
            period: Some(month),
            key: vec![("site".into(), "A".into())],
            standards: vec![standard("greet_4min", 20, 18, 0.95)],
        }],
    }
}

#[test]
fn compliance_report_in_every_format() {
    snapshot_all("compliance", &compliance_report());
}

#[test]
fn sqi_report_in_every_format() {
    let report = crate::sqi::fixture::two_days_two_sites();
    assert!(!report.checks_passed(), "the points check breaks");
    snapshot_all("sqi", &report);
}

/// Every analysis of a report, from the reports above.
fn report_data() -> crate::report::ReportData {
    crate::report::ReportData {
        survey: Some(survey_report()),
        gaps: Some(gaps_report()),
        compliance: Some(compliance_report()),
        sqi: Some(crate::sqi::fixture::two_days_two_sites()),
        value: Some(value_report()),
        chain: Some(chain_report()),
        instrument: None,
    }
}

/// Ten customers (one unprofitable, one without a survey answer) at two
/// sites, joined with survey gaps.
fn value_report() -> crate::value::ValueReport {
    use crate::model::customers::{Customer, Customers};
    use crate::survey::RespondentScores;
    let customers: Vec<Customer> = (0..10)
        .map(|i| Customer {
            customer_id: format!("C{i}"),
            profit: [
                900.0, 400.0, 200.0, 120.0, 80.0, 60.0, 40.0, 30.0, 20.0, -50.0,
            ][i],
            service_cost: Some([50.0, 20.0, 90.0, 10.0, 5.0, 5.0, 30.0, 5.0, 5.0, 20.0][i]),
            tickets: Some([3, 1, 9, 0, 0, 1, 4, 0, 0, 2][i]),
            products: Some([3, 1, 2, 1, 1, 2, 1, 1, 1, 1][i]),
            group: vec![if i % 2 == 0 { "北京" } else { "上海" }.into()],
            line: i as u64 + 2,
        })
        .collect();
    let file = Customers {
        name: "customers.csv".into(),
        rows: counts(10, 10, vec![]),
        has_service_cost: true,
        has_tickets: true,
        has_products: true,
        customers,
    };
    let scores = (0..9)
        .map(|i| {
            (
                format!("C{i}"),
                RespondentScores {
                    mean_e: Some(5.0 + i as f64 / 10.0),
                    overall_gap: Some(-1.0 + i as f64 / 10.0),
                },
            )
        })
        .collect();
    crate::value::analyse(
        &file,
        &[],
        Some(("survey.csv".into(), counts(9, 9, vec![]), scores)),
        0.2,
    )
}

/// A chain of three links.
fn chain_report() -> crate::chain::ChainReport {
    crate::chain::analyse(
        "chain.csv",
        &[
            ("工厂".into(), 0.05),
            ("courier".into(), 0.1),
            ("store".into(), 0.2),
        ],
        counts(3, 3, vec![]),
        0.5,
    )
}

#[test]
fn value_report_in_every_format() {
    snapshot_all("value", &value_report());
}

#[test]
fn chain_report_in_every_format() {
    snapshot_all("chain", &chain_report());
}

#[test]
fn the_report_in_both_languages() {
    use super::report::{html, markdown, Lang};
    let data = report_data();
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let page = html(&data, lang).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            page.starts_with("<!DOCTYPE html>")
                && page.contains(&format!("lang=\"{}\"", lang.tag()))
        );
        // self-contained: nothing to fetch, nothing to run
        for banned in ["<script", "http://", "https://", "@import", "<link", "src="] {
            let outside_svg_ns = page.replace("http://www.w3.org/2000/svg", "");
            assert!(!outside_svg_ns.contains(banned), "{banned} in the page");
        }
        insta::assert_snapshot!(format!("report_{name}_html"), page);
        insta::assert_snapshot!(format!("report_{name}_markdown"), markdown(&data, lang));
    }
}

/// Text that would run, break out of the page's style, break a Markdown
/// table, or run as a spreadsheet formula, if it were not escaped.
const HOSTILE: &str = "=<script>alert(\"x\")</script>'</style>|*[a](b)";

/// `data` with every piece of user text replaced by [`HOSTILE`].
fn hostile(mut data: crate::report::ReportData) -> crate::report::ReportData {
    let h = || HOSTILE.to_string();
    if let Some(s) = &mut data.survey {
        s.inputs.survey = h();
        s.inputs.by = vec![h()];
        s.rejections.iter_mut().for_each(|r| r.reason = h());
        let mut tables: Vec<&mut SurveyTables> = vec![&mut s.all];
        for g in &mut s.groups {
            g.key = vec![(h(), h())];
        }
        tables.extend(s.groups.iter_mut().map(|g| &mut g.tables));
        for t in tables {
            t.items
                .iter_mut()
                .for_each(|i| (i.item, i.dimension) = (h(), h()));
            t.dimensions.iter_mut().for_each(|d| d.dimension = h());
            t.zone.iter_mut().for_each(|z| z.item = Some(h()));
            t.ipa.iter_mut().for_each(|p| p.dimension = h());
        }
    }
    if let Some(v) = &mut data.value {
        v.all.customers.iter_mut().for_each(|c| c.customer_id = h());
    }
    if let Some(c) = &mut data.chain {
        c.links.iter_mut().for_each(|l| l.link = h());
    }
    if let Some(g) = &mut data.gaps {
        g.inputs.customers = h();
        g.inputs.by = vec![h()];
        for t in std::iter::once(&mut g.all).chain(g.groups.iter_mut().map(|x| &mut x.tables)) {
            t.items
                .iter_mut()
                .for_each(|i| (i.item, i.dimension) = (h(), h()));
            t.dimensions.iter_mut().for_each(|d| d.dimension = h());
        }
        g.groups.iter_mut().for_each(|x| x.key = vec![(h(), h())]);
    }
    if let Some(c) = &mut data.compliance {
        (c.inputs.events, c.inputs.standards) = (h(), h());
        c.inputs.by = vec![h()];
        for s in c
            .standards
            .iter_mut()
            .chain(c.groups.iter_mut().flat_map(|g| g.standards.iter_mut()))
        {
            (s.standard_id, s.description, s.metric) = (h(), h(), h());
        }
        c.groups.iter_mut().for_each(|g| g.key = vec![(h(), h())]);
    }
    if let Some(q) = &mut data.sqi {
        q.inputs.incidents = h();
        q.inputs.by = vec![h()];
        q.periods.by = vec![h()];
        q.periods.groups.iter_mut().for_each(|g| *g = vec![h()]);
        q.periods.categories.iter_mut().for_each(|c| *c = h());
        q.pareto.iter_mut().for_each(|p| p.category = h());
        q.pareto_groups
            .iter_mut()
            .for_each(|p| p.group = vec![(h(), h())]);
        q.checks
            .iter_mut()
            .flat_map(|c| c.breaches.iter_mut())
            .for_each(|b| b.group = vec![(h(), h())]);
    }
    data
}

/// Whether Markdown holds a `<` or a `[` not escaped by a backslash.
fn raw_markup(md: &str) -> bool {
    let b = md.as_bytes();
    (0..b.len()).any(|i| matches!(b[i], b'<' | b'[') && (i == 0 || b[i - 1] != b'\\'))
}

#[test]
fn user_text_is_escaped_in_every_field_and_format() {
    use super::report::{html, markdown, Lang};
    let data = hostile(report_data());
    for lang in [Lang::En, Lang::Zh] {
        let page = html(&data, lang).unwrap_or_else(|e| panic!("{e}"));
        assert!(!page.contains("<script"), "a script in the page");
        assert_eq!(
            page.matches("</style>").count(),
            1,
            "the page's style was closed early"
        );
        assert!(
            page.contains("&lt;script&gt;"),
            "the text is shown, escaped"
        );
        let md = markdown(&data, lang);
        assert!(!raw_markup(&md), "raw markup in the Markdown");
        assert!(md.contains(r"\<script\>"), "the text is shown, escaped");
    }
    // every format of every analysis
    let check = |name: &str, text: String, format: Format| match format {
        Format::Markdown => assert!(!raw_markup(&text), "{name}: raw markup in the Markdown"),
        Format::Csv => {
            for cell_start in [",=<", "\n=<", "\"=<"] {
                assert!(
                    !text.contains(cell_start),
                    "{name}: a formula cell in the CSV"
                );
            }
            assert!(!text.starts_with('='), "{name}: a formula cell in the CSV");
            assert!(
                text.contains("'=<script>"),
                "{name}: the text is kept, neutralised"
            );
        }
        Format::Json => {
            let v: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(v.to_string().contains("alert"), "{name}: the text is kept");
        }
        Format::Table => assert!(text.contains("alert"), "{name}: the text is shown"),
        Format::Xlsx => {
            // a formula-like text is a text cell (workbook_text fails on a formula)
            assert!(
                text.contains("s:=<script>"),
                "{name}: the text is kept as text"
            );
        }
        Format::Parquet => unreachable!("binary, and not among the formats checked"),
    };
    for format in [
        Format::Table,
        Format::Markdown,
        Format::Json,
        Format::Csv,
        Format::Xlsx,
    ] {
        let survey = data.survey.as_ref().unwrap_or_else(|| unreachable!());
        check("survey", every_table(survey, format), format);
        let gaps = data.gaps.as_ref().unwrap_or_else(|| unreachable!());
        check("gaps", every_table(gaps, format), format);
        let compliance = data.compliance.as_ref().unwrap_or_else(|| unreachable!());
        check("compliance", every_table(compliance, format), format);
        let sqi = data.sqi.as_ref().unwrap_or_else(|| unreachable!());
        check("sqi", every_table(sqi, format), format);
    }
}
