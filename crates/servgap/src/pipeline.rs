//! The only code that touches both reading and analysing. Each `run_*`
//! reads its inputs ([`crate::input`]), hands the typed records they fill
//! ([`crate::model`]) to its analysis ([`crate::survey`], [`crate::gaps`],
//! [`crate::compliance`], [`crate::sqi`]), and puts the report together
//! with what went in. The command line and Rust callers start here;
//! analyses never open a file, and readers never compute a figure.

use crate::compliance::partial::CompliancePartial;
use crate::compliance::{ComplianceInputs, ComplianceReport, MissRule};
use crate::error::{Error, Result};
use crate::gaps::{GapLevels, GapModel, GapsInputs, GapsReport};
use crate::input::columns::ColumnMap;
use crate::input::events::{EventSink, HardStandards};
use crate::input::gap_inputs::{Ratings, Standards};
use crate::input::importance::{Importance, ImportanceFile};
use crate::input::incidents::{read_incidents, IncidentData};
use crate::input::instrument::Instrument;
use crate::input::survey::{read_survey, Scale, SurveyReadOptions};
use crate::input::weights::WeightTable;
use crate::input::{check_by, read_csv, ReadOptions, Source};
use crate::model::responses::{ResponseStore, SurveyBody, SurveyData};
use crate::partial::Partial;
use crate::period::PeriodKind;
use crate::report::ReportData;
use crate::sqi::partial::{SqiPartial, SqiSettings};
use crate::sqi::{
    self, ChartType, CheckKind, CheckScope, CheckSpec, RuleSet, SqiInputs, SqiReport,
};
use crate::survey::partial::SurveyPartial;
use crate::survey::{self, SurveyGroup, SurveyInputs, SurveyReport, SurveyTables};

/// Everything `servgap survey` needs besides the survey file.
#[derive(Debug, Clone, Default)]
pub struct SurveyConfig {
    /// Reader options (encoding, invalid rows, threads, progress).
    pub read: ReadOptions,
    /// Survey options (scale, by, column map).
    pub survey: SurveyReadOptions,
    /// The instrument (`None`: `servqual22`, or a summary file's own `dimension` column).
    pub instrument: Option<Instrument>,
    /// Importance weights, with their file's name and rows.
    pub importance: Option<ImportanceFile>,
}

/// A survey read and analysed: what the survey report and the gap model
/// both start from (a report reads the survey once for both).
struct AnalysedSurvey {
    data: SurveyData,
    instrument: Instrument,
    encoding: String,
    all: SurveyTables,
    groups: Vec<SurveyGroup>,
}

/// Reads a survey and computes its tables, weighted by `importance`.
fn analyse_survey(
    source: &Source,
    instrument: Option<Instrument>,
    opts: &SurveyReadOptions,
    read: &ReadOptions,
    importance: Option<&Importance>,
) -> Result<AnalysedSurvey> {
    check_by(&opts.by)?;
    let (data, instrument, info) = read_survey(source, instrument, opts, read)?;
    if let Some(Importance::Aggregate(w)) = importance {
        if w.len() != instrument.dimensions.len() {
            return Err(Error::inconsistent(
                "the importance weights were read against another instrument",
            ));
        }
    }
    let (all, groups) = survey::analyse(&data, &instrument, importance)?;
    Ok(AnalysedSurvey {
        data,
        instrument,
        encoding: info.encoding,
        all,
        groups,
    })
}

/// Reads, validates and analyses a survey: the library form of `servgap survey`.
pub fn run_survey(source: &Source, cfg: &SurveyConfig) -> Result<SurveyReport> {
    let imp = cfg.importance.as_ref().map(|f| &f.weights);
    let a = analyse_survey(source, cfg.instrument.clone(), &cfg.survey, &cfg.read, imp)?;
    Ok(survey_report(source, cfg, a))
}

/// The survey's report from its analysis.
fn survey_report(source: &Source, cfg: &SurveyConfig, a: AnalysedSurvey) -> SurveyReport {
    let AnalysedSurvey {
        data,
        instrument,
        encoding,
        all,
        groups,
    } = a;
    SurveyReport {
        schema: survey::SURVEY_SCHEMA,
        inputs: survey_inputs(source, cfg, &data, &instrument, encoding),
        rows_read: data.counts.rows_read,
        rows_used: data.counts.rows_used,
        rows_rejected: data.counts.rows_rejected,
        rejections: data.counts.rejections.clone(),
        importance_rows: cfg.importance.as_ref().map(|f| match &data.body {
            SurveyBody::Respondents(stores) => {
                let ids: Vec<Vec<String>> = stores.iter().map(ResponseStore::ids).collect();
                f.counts_against(ids.iter().flatten().map(String::as_str))
            }
            SurveyBody::Summary(_) => f.rows.clone(),
        }),
        all,
        groups,
    }
}

/// What went into a survey run.
fn survey_inputs(
    source: &Source,
    cfg: &SurveyConfig,
    data: &SurveyData,
    instrument: &Instrument,
    encoding: String,
) -> SurveyInputs {
    SurveyInputs {
        survey: source.name(),
        form: data.form,
        encoding,
        instrument: instrument.name.clone(),
        importance: cfg.importance.as_ref().map(|f| f.name.clone()),
        columns: cfg.survey.columns.as_ref().map(|c| c.file.clone()),
        scale: cfg.survey.scale.to_string(),
        by: data.by.clone(),
        on_invalid: cfg.read.on_invalid,
    }
}

/// Reads and validates a survey and adds up its respondents: the partial
/// result of `servgap survey --emit-partial`, which merges with those of
/// other parts of the respondents ([`merge_partials`]). A summary survey
/// (one row per item) has none.
pub fn survey_partial(source: &Source, cfg: &SurveyConfig) -> Result<SurveyPartial> {
    check_by(&cfg.survey.by)?;
    let (data, instrument, info) =
        read_survey(source, cfg.instrument.clone(), &cfg.survey, &cfg.read)?;
    let imp = cfg.importance.as_ref().map(|f| &f.weights);
    if let Some(Importance::Aggregate(w)) = imp {
        if w.len() != instrument.dimensions.len() {
            return Err(Error::inconsistent(
                "the importance weights were read against another instrument",
            ));
        }
    }
    let SurveyBody::Respondents(stores) = &data.body else {
        return Err(Error::usage(format!(
            "{}: a summary survey (one row per item) has no partial result: --emit-partial needs respondents",
            source.name()
        )));
    };
    let acc = survey::accumulate(&data, stores, &instrument, imp)?;
    let importance = cfg.importance.as_ref().map(|f| {
        let ids: Vec<Vec<String>> = stores.iter().map(ResponseStore::ids).collect();
        (f, f.unmatched_in(ids.iter().flatten().map(String::as_str)))
    });
    let inputs = survey_inputs(source, cfg, &data, &instrument, info.encoding);
    Ok(SurveyPartial::new(
        inputs,
        &instrument,
        importance,
        acc,
        data.counts.clone(),
    ))
}

/// Everything `servgap gaps` needs besides the customer survey.
#[derive(Debug, Clone, Default)]
pub struct GapsConfig {
    /// Reader options.
    pub read: ReadOptions,
    /// Survey options (scale, `--by`, column map); the scale also bounds M, S, C, D.
    pub survey: SurveyReadOptions,
    /// Instrument (`None`: `servqual22`).
    pub instrument: Option<Instrument>,
    /// Management survey (M).
    pub management: Option<Source>,
    /// Standards (S, and C from `promise`).
    pub standards: Option<Source>,
    /// Delivery assessment (D).
    pub delivery: Option<Source>,
    /// Gap 4 wording.
    pub model: GapModel,
}

/// Reads every input and computes the gap model: the library form of `servgap gaps`.
pub fn run_gaps(customers: &Source, cfg: &GapsConfig) -> Result<GapsReport> {
    let a = analyse_survey(
        customers,
        cfg.instrument.clone(),
        &cfg.survey,
        &cfg.read,
        None,
    )?;
    gaps_report(customers, cfg, &a)
}

/// The gap model's report: the other inputs read against the survey's
/// instrument, scale and groups, their gaps beside the survey's tables.
fn gaps_report(customers: &Source, cfg: &GapsConfig, a: &AnalysedSurvey) -> Result<GapsReport> {
    let (data, ins) = (&a.data, &a.instrument);
    let small = ReadOptions {
        threads: 1,
        progress: None,
        ..cfg.read.clone()
    };
    let by = &cfg.survey.by;
    let scale = &cfg.survey.scale;
    let ratings = |source: &Option<Source>, what: &str| {
        source
            .as_ref()
            .map(|s| Ratings::load(s, what, ins, scale, by, &small))
            .transpose()
    };
    let management = ratings(&cfg.management, "the management survey")?;
    let delivery = ratings(&cfg.delivery, "the delivery assessment")?;
    let standards = match &cfg.standards {
        Some(s) => Some(Standards::load(s, ins, scale, by, &small)?),
        None => None,
    };
    let levels = GapLevels {
        instrument: ins,
        management: management.as_ref(),
        delivery: delivery.as_ref(),
        standards: standards.as_ref(),
        model: cfg.model,
    };
    let (tables, groups) = levels.analyse(&a.all, &a.groups);
    Ok(GapsReport {
        schema: "servgap/gaps/v1",
        inputs: GapsInputs {
            customers: customers.name(),
            encoding: a.encoding.clone(),
            instrument: ins.name.clone(),
            management: management.as_ref().map(|m| m.name.clone()),
            standards: standards.as_ref().map(|m| m.name.clone()),
            delivery: delivery.as_ref().map(|m| m.name.clone()),
            model: cfg.model,
            scale: scale.to_string(),
            by: by.clone(),
        },
        rows_read: data.counts.rows_read,
        rows_used: data.counts.rows_used,
        rows_rejected: data.counts.rows_rejected,
        rejections: data.counts.rejections.clone(),
        management_rows: management.map(|m| m.rows),
        standards_rows: standards.map(|s| s.rows),
        delivery_rows: delivery.map(|d| d.rows),
        all: tables,
        groups,
    })
}

/// Everything `servgap compliance` needs besides the events file.
#[derive(Debug, Clone)]
pub struct ComplianceConfig {
    /// Reader options.
    pub read: ReadOptions,
    /// The hard standards.
    pub standards: HardStandards,
    /// Grouping columns of the events file.
    pub by: Vec<String>,
    /// Per period of the date column (`--period`, `--date`).
    pub period: Option<(PeriodKind, String)>,
    /// When a standard is missed (`--miss-rule`).
    pub miss_rule: MissRule,
}

/// Reads the events and computes compliance: the library form of `servgap compliance`.
pub fn run_compliance(events: &Source, cfg: &ComplianceConfig) -> Result<ComplianceReport> {
    Ok(compliance_partial(events, cfg)?.report())
}

/// Reads the events and counts them per standard, group and period: the
/// partial result of `servgap compliance --emit-partial`, which merges
/// with those of other parts of the events ([`merge_partials`]).
pub fn compliance_partial(events: &Source, cfg: &ComplianceConfig) -> Result<CompliancePartial> {
    check_by(&cfg.by)?;
    let name = events.name();
    let (sink, info) = read_csv(events, &cfg.read, |h| {
        EventSink::new(
            name.clone(),
            h,
            &cfg.standards,
            &cfg.by,
            cfg.period.clone(),
            cfg.read.on_invalid,
        )
    })?;
    let inputs = ComplianceInputs {
        events: name,
        encoding: info.encoding,
        standards: cfg.standards.name.clone(),
        by: cfg.by.clone(),
        period: cfg.period.as_ref().map(|p| p.0),
        date: cfg.period.as_ref().map(|p| p.1.clone()),
        miss_rule: cfg.miss_rule,
    };
    Ok(CompliancePartial::new(
        inputs,
        &cfg.standards.standards,
        cfg.standards.rows.clone(),
        sink.counts(),
        &sink.cells,
    ))
}

/// Everything `servgap sqi` needs besides the incident log.
#[derive(Debug, Clone)]
pub struct SqiConfig {
    /// Reader options (encoding, invalid rows, threads, progress).
    pub read: ReadOptions,
    /// Category weights (default `fedex12`).
    pub weights: WeightTable,
    /// Volume file, for points per unit.
    pub volume: Option<Source>,
    /// Units per normalisation (`--per`, default 1000).
    pub per: f64,
    /// Period length.
    pub period: PeriodKind,
    /// Grouping columns.
    pub by: Vec<String>,
    /// Thresholds to check.
    pub checks: Vec<CheckSpec>,
    /// Which periods the checks look at.
    pub check_scope: CheckScope,
    /// The control chart (`--chart`).
    pub chart: ChartType,
    /// The run rules (`--rules`).
    pub rules: RuleSet,
}

impl Default for SqiConfig {
    fn default() -> Self {
        SqiConfig {
            read: ReadOptions::default(),
            weights: WeightTable::fedex12(),
            volume: None,
            per: 1000.0,
            period: PeriodKind::Day,
            by: Vec::new(),
            checks: Vec::new(),
            check_scope: CheckScope::Last,
            chart: ChartType::U,
            rules: RuleSet::We,
        }
    }
}

/// Reads, validates and analyses an incident log: the library form of `servgap sqi`.
pub fn run_sqi(incidents: &Source, cfg: &SqiConfig) -> Result<SqiReport> {
    let (data, inputs) = read_sqi(incidents, cfg)?;
    sqi::analyse_cells(
        data.table,
        data.incident_rows,
        data.volume_rows,
        &cfg.weights,
        inputs,
        &cfg.checks,
    )
}

/// Reads and validates an incident log (and its volume file) into period
/// × group cells: the partial result of `servgap sqi --emit-partial`,
/// which merges with those of other parts of the log
/// ([`merge_partials`]).
pub fn sqi_partial(incidents: &Source, cfg: &SqiConfig) -> Result<SqiPartial> {
    let (data, inputs) = read_sqi(incidents, cfg)?;
    let settings = SqiSettings {
        inputs,
        weights: &cfg.weights,
        checks: &cfg.checks,
        incident_rows: data.incident_rows,
        volume_rows: data.volume_rows,
        volume_summed: data.volume_summed,
    };
    Ok(SqiPartial::new(settings, &data.table))
}

/// Reads an incident log (and its volume file) into cells of a day, a
/// week or a month, with what went in.
fn read_sqi(incidents: &Source, cfg: &SqiConfig) -> Result<(IncidentData, SqiInputs)> {
    check_by(&cfg.by)?;
    if !(cfg.per.is_finite() && cfg.per > 0.0) {
        return Err(Error::usage(format!(
            "--per must be a number above 0, not {}",
            cfg.per
        )));
    }
    if cfg.volume.is_none() && cfg.checks.iter().any(|c| c.kind == CheckKind::MaxPerUnit) {
        return Err(Error::usage("--max-per-unit needs a --volume file"));
    }
    let weights = std::sync::Arc::new(cfg.weights.clone());
    // quarters and years are made from month cells
    let data = read_incidents(
        incidents,
        cfg.volume.as_ref(),
        weights,
        cfg.period.read_as(),
        &cfg.by,
        &cfg.read,
    )?;
    let inputs = SqiInputs {
        incidents: incidents.name(),
        encoding: data.encoding.clone(),
        weights: cfg.weights.name.clone(),
        volume: cfg.volume.as_ref().map(Source::name),
        period: cfg.period,
        per: cfg.per,
        by: cfg.by.clone(),
        check_scope: cfg.check_scope,
        chart: cfg.chart,
        rules: cfg.rules,
    };
    Ok((data, inputs))
}

/// Reads partial results (`--emit-partial` files, `-` for standard input)
/// and merges them: the partial result of all their data, whose
/// [`Partial::report`] is what one run over all of it gives. The parts
/// must be of one command and computed with the same settings.
pub fn merge_partials(sources: &[Source]) -> Result<Partial> {
    let mut parts = Vec::with_capacity(sources.len());
    for source in sources {
        let name = source.name();
        let bytes = match source {
            Source::Path(p) => std::fs::read(p).map_err(|e| Error::io(p, e))?,
            Source::Stdin => {
                let mut b = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b)
                    .map_err(|e| Error::io("<stdin>", e))?;
                b
            }
            _ => {
                return Err(Error::usage(format!(
                    "{name}: a partial result is a JSON file written by --emit-partial"
                )))
            }
        };
        parts.push((name.clone(), Partial::from_json(&name, &bytes)?));
    }
    Partial::merge(parts)
}

/// Everything `servgap value` needs besides the customer file.
#[derive(Debug, Clone)]
pub struct ValueConfig {
    /// Reader options.
    pub read: ReadOptions,
    /// The share called the top (`--top`, default 0.2).
    pub top: f64,
    /// Grouping columns of the customer file.
    pub by: Vec<String>,
    /// A customer survey to join on `respondent_id` = `customer_id`, with
    /// its instrument (`None`: SERVQUAL-22) and read options.
    pub survey: Option<(Source, Option<Instrument>, SurveyReadOptions)>,
}

impl Default for ValueConfig {
    fn default() -> Self {
        ValueConfig {
            read: ReadOptions::default(),
            top: 0.2,
            by: Vec::new(),
            survey: None,
        }
    }
}

/// Reads the customers (and the survey, when joined) and computes their
/// value figures: the library form of `servgap value`.
pub fn run_value(customers: &Source, cfg: &ValueConfig) -> Result<crate::value::ValueReport> {
    check_by(&cfg.by)?;
    if !(cfg.top > 0.0 && cfg.top <= 1.0) {
        return Err(Error::usage(format!(
            "--top is a share of customers above 0 and at most 1, not {}",
            cfg.top
        )));
    }
    let file = crate::input::customers::Customers::load(customers, &cfg.by, &cfg.read)?;
    let survey = match &cfg.survey {
        Some((source, instrument, opts)) => {
            let (data, instrument, _) = read_survey(source, instrument.clone(), opts, &cfg.read)?;
            let scores = survey::respondent_scores(&data, &instrument)?;
            Some((source.name(), data.counts.clone(), scores))
        }
        None => None,
    };
    Ok(crate::value::analyse(&file, &cfg.by, survey, cfg.top))
}

/// Everything `servgap report` needs: the inputs of each analysis to run.
#[derive(Debug, Clone, Default)]
pub struct ReportConfig {
    /// The customer survey and its options.
    pub survey: Option<(Source, SurveyConfig)>,
    /// The gap model's other inputs (`management`, `standards`,
    /// `delivery`, `model`; the survey's file and options are the ones
    /// above).
    pub gaps: Option<GapsConfig>,
    /// The events and their standards.
    pub compliance: Option<(Source, ComplianceConfig)>,
    /// The incident log and its options.
    pub sqi: Option<(Source, SqiConfig)>,
    /// The customer file and its options (the survey above is joined).
    pub value: Option<(Source, ValueConfig)>,
    /// The chain file and the customer's share of the margin.
    pub chain: Option<(Source, f64)>,
}

/// Runs every analysis the inputs allow, reading each input once (the
/// customer survey serves both its own section and the gap model's):
/// the library form of `servgap report`.
pub fn run_report(cfg: &ReportConfig) -> Result<ReportData> {
    let mut data = ReportData::default();
    match (&cfg.survey, &cfg.gaps) {
        (Some((source, sc)), gaps) => {
            let imp = sc.importance.as_ref().map(|f| &f.weights);
            let a = analyse_survey(source, sc.instrument.clone(), &sc.survey, &sc.read, imp)?;
            if let Some(g) = gaps {
                let g = GapsConfig {
                    read: sc.read.clone(),
                    survey: sc.survey.clone(),
                    instrument: None,
                    ..g.clone()
                };
                data.gaps = Some(gaps_report(source, &g, &a)?);
            }
            data.instrument = Some(a.instrument.clone());
            data.survey = Some(survey_report(source, sc, a));
        }
        (None, Some(_)) => {
            return Err(Error::usage(
                "the gap model's inputs need the customer survey (--customers)",
            ))
        }
        (None, None) => {}
    }
    if let Some((events, c)) = &cfg.compliance {
        data.compliance = Some(run_compliance(events, c)?);
    }
    if let Some((incidents, q)) = &cfg.sqi {
        data.sqi = Some(run_sqi(incidents, q)?);
    }
    if let Some((customers, v)) = &cfg.value {
        let mut v = v.clone();
        if v.survey.is_none() {
            if let Some((source, sc)) = &cfg.survey {
                v.survey = Some((source.clone(), sc.instrument.clone(), sc.survey.clone()));
            }
        }
        data.value = Some(run_value(customers, &v)?);
    }
    if let Some((chain, share)) = &cfg.chain {
        let read = cfg
            .sqi
            .as_ref()
            .map(|(_, q)| q.read.clone())
            .unwrap_or_default();
        data.chain = Some(crate::chain::run_chain(chain, *share, &read)?);
    }
    if data.is_empty() {
        return Err(Error::usage(
            "a report needs at least one analysis's inputs: --customers, --events with --hard-standards, or --incidents",
        ));
    }
    Ok(data)
}

/// Convenience for Rust callers: the scale from text.
pub fn scale(s: &str) -> Result<Scale> {
    Scale::parse(s)
}

/// Convenience for Rust callers: a column map from a file.
pub fn column_map(path: &str) -> Result<ColumnMap> {
    ColumnMap::load(&Source::from_arg(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqi::SqiPeriod;

    /// `servgap sqi` on a small log given as text, by site.
    fn report_of(log: &str) -> SqiReport {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("log.csv");
        std::fs::write(&path, log).unwrap_or_else(|e| panic!("{e}"));
        let cfg = SqiConfig {
            by: vec!["site".into()],
            ..SqiConfig::default()
        };
        let source = Source::from_arg(&path.to_string_lossy());
        run_sqi(&source, &cfg).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rows_are_made_from_the_cells_in_period_then_group_order() {
        let sorted = "date,site,category,count\n\
            2026-03-02,A,lost,2\n2026-03-02,B,damaged,1\n2026-03-03,A,lost,1\n";
        let shuffled = "date,site,category,count\n\
            2026-03-03,A,lost,1\n2026-03-02,B,damaged,1\n2026-03-02,A,lost,2\n";
        let (a, b) = (report_of(sorted), report_of(shuffled));
        let p = &b.periods;
        assert_eq!(p.len(), 3);
        assert!(p.row(3).is_none());
        let rows: Vec<SqiPeriod> = p.rows().collect();
        assert_eq!(rows.len(), 3);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(p.row(i), Some(*r));
        }
        let labels: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.period.label(), p.group_values(r).join("/")))
            .collect();
        let want = [
            ("2026-03-02", "A"),
            ("2026-03-02", "B"),
            ("2026-03-03", "A"),
        ];
        assert_eq!(labels, want.map(|(d, s)| (d.to_string(), s.to_string())));
        // fedex12: lost weighs 10, damaged 10
        let lost = p.categories.iter().position(|c| c == "lost");
        let counts: Vec<Vec<u64>> = rows
            .iter()
            .map(|r| p.category_counts(r).collect())
            .collect();
        assert_eq!(lost.map(|l| counts[0][l]), Some(2));
        assert_eq!(
            rows.iter().map(|r| r.points).collect::<Vec<_>>(),
            [20.0, 10.0, 10.0]
        );
        // the same rows, however read and stored
        assert_eq!(a.periods, b.periods);
        let other = report_of(&sorted.replace("lost,1", "lost,3"));
        assert_ne!(a.periods, other.periods);
    }
}
