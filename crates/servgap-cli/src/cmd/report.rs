//! `servgap report`: the inputs of any of the analyses, from flags or a
//! TOML file whose keys are the flags' names (paths in it are relative to
//! the file; a flag given overrides its key), into one HTML page or one
//! Markdown summary. Exit code 1 when an SQI check fails, or a hard
//! standard misses its target with `--fail-on-miss`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use servgap::input::events::HardStandards;
use servgap::input::importance::ImportanceFile;
use servgap::input::survey::{Scale, SurveyReadOptions};
use servgap::input::weights::WeightTable;
use servgap::input::{EncodingChoice, OnInvalid, ReadOptions, Source};
use servgap::pipeline::{
    run_report, ComplianceConfig, GapsConfig, ReportConfig, SqiConfig, SurveyConfig,
};
use servgap::render::report::Lang;
use servgap::sqi::{CheckKind, CheckScope, CheckSpec};

use crate::cli::{
    ChartArg, LangArg, MissRuleArg, ModelArg, OnInvalidArg, PeriodArg, ReportArgs, ReportFormatArg,
    RulesArg,
};
use crate::output::{report_rejections, write_output};

/// The report's config file: every key is a flag of `servgap report`
/// (with `-` or `_`), every path relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    customers: Option<String>,
    value: Option<String>,
    top: Option<f64>,
    chain: Option<String>,
    share: Option<f64>,
    instrument: Option<String>,
    importance: Option<String>,
    columns: Option<String>,
    scale: Option<String>,
    management: Option<String>,
    standards: Option<String>,
    delivery: Option<String>,
    model: Option<ModelArg>,
    #[serde(alias = "hard_standards")]
    hard_standards: Option<String>,
    events: Option<String>,
    date: Option<String>,
    incidents: Option<String>,
    weights: Option<String>,
    volume: Option<String>,
    per: Option<f64>,
    #[serde(alias = "max_points")]
    max_points: Option<f64>,
    #[serde(alias = "max_per_unit")]
    max_per_unit: Option<f64>,
    #[serde(alias = "fail_on_miss")]
    fail_on_miss: Option<bool>,
    #[serde(alias = "miss_rule")]
    miss_rule: Option<MissRuleArg>,
    chart: Option<ChartArg>,
    rules: Option<RulesArg>,
    #[serde(default)]
    by: Vec<String>,
    #[serde(default, alias = "customers_by")]
    customers_by: Vec<String>,
    #[serde(default, alias = "events_by")]
    events_by: Vec<String>,
    #[serde(default, alias = "incidents_by")]
    incidents_by: Vec<String>,
    period: Option<PeriodArg>,
    lang: Option<LangArg>,
    format: Option<ReportFormatArg>,
    output: Option<String>,
    encoding: Option<String>,
    #[serde(alias = "on_invalid")]
    on_invalid: Option<OnInvalidArg>,
    threads: Option<usize>,
}

impl ConfigFile {
    /// Reads `path`; its paths are made relative to its folder.
    fn load(path: &str) -> servgap::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            servgap::Error::from(servgap::ErrorKind::Io {
                path: PathBuf::from(path),
                source: e,
            })
        })?;
        let mut cfg: ConfigFile = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            servgap::Error::from(servgap::ErrorKind::InvalidFile {
                file: path.to_string(),
                line,
                message: format!("not a servgap report config: {}", e.message().trim_end()),
            })
        })?;
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        let rel = |p: &mut Option<String>| {
            if let Some(v) = p {
                *v = relative(dir, v);
            }
        };
        rel(&mut cfg.customers);
        rel(&mut cfg.value);
        rel(&mut cfg.chain);
        rel(&mut cfg.importance);
        rel(&mut cfg.columns);
        rel(&mut cfg.management);
        rel(&mut cfg.standards);
        rel(&mut cfg.delivery);
        rel(&mut cfg.hard_standards);
        rel(&mut cfg.events);
        rel(&mut cfg.incidents);
        rel(&mut cfg.volume);
        rel(&mut cfg.output);
        for builtin in [&mut cfg.instrument, &mut cfg.weights] {
            if builtin
                .as_deref()
                .is_some_and(|v| !matches!(v, "servqual22" | "fedex12" | "evans10"))
            {
                rel(builtin);
            }
        }
        Ok(cfg)
    }
}

/// `value` relative to `dir` (absolute paths and `-` kept).
fn relative(dir: &Path, value: &str) -> String {
    if value == "-" || Path::new(value).is_absolute() || dir.as_os_str().is_empty() {
        return value.to_string();
    }
    dir.join(value).to_string_lossy().into_owned()
}

/// The flag if given, else the file's key.
fn pick<T>(flag: Option<T>, file: Option<T>) -> Option<T> {
    flag.or(file)
}

pub fn run(a: ReportArgs) -> servgap::Result<u8> {
    let f = match &a.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let customers = pick(a.customers, f.customers);
    let value = pick(a.value, f.value);
    let chain = pick(a.chain, f.chain);
    let events = pick(a.events, f.events);
    let hard = pick(a.hard_standards, f.hard_standards);
    let incidents = pick(a.incidents, f.incidents);
    let management = pick(a.management, f.management);
    let standards = pick(a.standards, f.standards);
    let delivery = pick(a.delivery, f.delivery);
    let volume = pick(a.volume, f.volume);
    let importance = pick(a.importance, f.importance);
    let instrument = pick(a.instrument, f.instrument);
    let weights = pick(a.weights, f.weights);
    let columns = pick(a.columns, f.columns);
    super::one_stdin(&[
        ("--customers", customers.as_deref()),
        ("--events", events.as_deref()),
        ("--incidents", incidents.as_deref()),
        ("--management", management.as_deref()),
        ("--standards", standards.as_deref()),
        ("--delivery", delivery.as_deref()),
        ("--volume", volume.as_deref()),
        ("--hard-standards", hard.as_deref()),
        ("--importance", importance.as_deref()),
    ])?;
    let read = ReadOptions {
        encoding: match pick(a.encoding, f.encoding) {
            Some(name) => EncodingChoice::parse(&name)?,
            None => EncodingChoice::Auto,
        },
        on_invalid: match pick(a.on_invalid, f.on_invalid) {
            Some(OnInvalidArg::Skip) => OnInvalid::Skip,
            _ => OnInvalid::Error,
        },
        threads: pick(a.threads, f.threads).unwrap_or(0),
        progress: None,
        // by extension: `.parquet`, `.arrow`, `.ipc`, `.feather` are columnar
        input_format: Default::default(),
    };
    let small = super::small_file_options(&read);
    let fmt = read.input_format;
    // a flag's list replaces the file's; an input's own list replaces --by
    let first = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
    let by = first(a.by, f.by);
    let customers_by = first(first(a.customers_by, f.customers_by), by.clone());
    let events_by = first(first(a.events_by, f.events_by), by.clone());
    let incidents_by = first(first(a.incidents_by, f.incidents_by), by);
    let period = pick(a.period, f.period);
    let scale = Scale::parse(pick(a.scale, f.scale).as_deref().unwrap_or("1-7"))?;
    let ins = super::instrument(instrument.as_deref(), &small)?;

    let mut cfg = ReportConfig::default();
    if let Some(c) = &customers {
        let survey = SurveyReadOptions {
            scale,
            by: customers_by,
            columns: super::column_map(columns.as_deref(), fmt)?,
        };
        let ins_for_weights = ins
            .clone()
            .unwrap_or_else(servgap::input::instrument::Instrument::servqual22);
        let importance = importance
            .as_deref()
            .map(|p| ImportanceFile::load(&Source::from_arg_as(p, fmt), &ins_for_weights, &small))
            .transpose()?;
        cfg.survey = Some((
            Source::from_arg_as(c, fmt),
            SurveyConfig {
                read: read.clone(),
                survey,
                instrument: ins.clone(),
                importance,
            },
        ));
    } else if importance.is_some() || columns.is_some() {
        return Err(servgap::Error::usage(
            "--importance and --columns need the customer survey (--customers)",
        ));
    }
    if management.is_some() || standards.is_some() || delivery.is_some() {
        cfg.gaps = Some(GapsConfig {
            management: management.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            standards: standards.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            delivery: delivery.as_deref().map(|p| Source::from_arg_as(p, fmt)),
            model: super::gap_model(pick(a.model, f.model).unwrap_or(ModelArg::Pzb)),
            ..GapsConfig::default()
        });
    }
    match (&events, &hard) {
        (Some(e), Some(h)) => {
            let standards = HardStandards::load(&Source::from_arg_as(h, fmt), &small)?;
            let date = pick(a.date, f.date).unwrap_or_else(|| "date".into());
            cfg.compliance = Some((
                Source::from_arg_as(e, fmt),
                ComplianceConfig {
                    read: read.clone(),
                    standards,
                    by: events_by,
                    period: period.map(|p| (super::period(p), date)),
                    miss_rule: super::miss_rule(
                        pick(a.miss_rule, f.miss_rule).unwrap_or(MissRuleArg::Point),
                    ),
                },
            ));
        }
        (Some(_), None) => return Err(servgap::Error::usage("--events needs --hard-standards")),
        (None, Some(_)) => return Err(servgap::Error::usage("--hard-standards needs --events")),
        (None, None) => {}
    }
    if let Some(i) = &incidents {
        let mut checks = Vec::new();
        if let Some(limit) = pick(a.max_points, f.max_points) {
            checks.push(CheckSpec {
                kind: CheckKind::MaxPoints,
                limit,
            });
        }
        if let Some(limit) = pick(a.max_per_unit, f.max_per_unit) {
            checks.push(CheckSpec {
                kind: CheckKind::MaxPerUnit,
                limit,
            });
        }
        cfg.sqi = Some((
            Source::from_arg_as(i, fmt),
            SqiConfig {
                read: read.clone(),
                weights: WeightTable::load(weights.as_deref().unwrap_or("fedex12"), &small)?,
                volume: volume.as_deref().map(|p| Source::from_arg_as(p, fmt)),
                per: pick(a.per, f.per).unwrap_or(1000.0),
                period: super::period(period.unwrap_or(PeriodArg::Day)),
                by: incidents_by,
                checks,
                check_scope: CheckScope::Last,
                chart: super::chart(pick(a.chart, f.chart).unwrap_or(ChartArg::U)),
                rules: super::rules(pick(a.rules, f.rules).unwrap_or(RulesArg::We)),
            },
        ));
    } else if volume.is_some() || weights.is_some() {
        return Err(servgap::Error::usage(
            "--volume and --weights need the incident log (--incidents)",
        ));
    }

    if let Some(v) = &value {
        cfg.value = Some((
            Source::from_arg_as(v, fmt),
            servgap::pipeline::ValueConfig {
                read: read.clone(),
                top: pick(a.top, f.top).unwrap_or(0.2),
                by: Vec::new(),
                survey: None,
            },
        ));
    }
    if let Some(c) = &chain {
        cfg.chain = Some((
            Source::from_arg_as(c, fmt),
            pick(a.share, f.share).unwrap_or(0.5),
        ));
    }
    let data = run_report(&cfg)?;
    report_rejections(&data.input_rows());
    super::check_reported(20)?;
    let lang = match pick(a.lang, f.lang).unwrap_or(LangArg::Auto) {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
        LangArg::Auto => Lang::from_locale(
            std::env::var("LC_ALL").ok().as_deref(),
            std::env::var("LANG").ok().as_deref(),
        ),
    };
    let output = pick(a.output, f.output);
    let format = pick(a.format, f.format).unwrap_or_else(|| match output.as_deref() {
        Some(p) if p.ends_with(".md") || p.ends_with(".markdown") => ReportFormatArg::Markdown,
        _ => ReportFormatArg::Html,
    });
    let text = match format {
        ReportFormatArg::Html => servgap::render::report::html(&data, lang)?,
        ReportFormatArg::Markdown => servgap::render::report::markdown(&data, lang),
    };
    write_output(output.as_deref(), &text)?;
    let sqi_failed = data.sqi.as_ref().is_some_and(|q| !q.checks_passed());
    let missed = data.compliance.as_ref().is_some_and(|c| !c.all_pass());
    let fail_on_miss = a.fail_on_miss || f.fail_on_miss.unwrap_or(false);
    Ok(if sqi_failed || (fail_on_miss && missed) {
        servgap::exit_codes::CHECK_FAILED
    } else {
        servgap::exit_codes::SUCCESS
    })
}
