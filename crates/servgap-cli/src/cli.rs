//! Command-line definition (clap derive). Flags mirror SPEC §5; every
//! computing command shares [`OutputArgs`] and [`ReadArgs`].

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Service-quality gap analytics: SERVQUAL expectation vs perception, Service Quality Index.
#[derive(Debug, Parser)]
#[command(name = "servgap", version, about = "Service-quality gap analytics: SERVQUAL (gap 5), the gap model (gaps 1-4), hard-standard compliance and the FedEx-style Service Quality Index", long_about = None, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Examples under `servgap --help`.
const MAIN_EXAMPLES: &str = "\
Examples (from the repository's folder, on the bundled data):
  servgap report --config data/example.toml -o report.html
  servgap survey data/example_survey.csv --by site
  servgap sqi data/example_incidents.csv --volume data/example_volume.csv --period month

Exit codes: 0 success, 1 a check failed, 2 usage error, 3 invalid input data, 4 I/O error.";

const SURVEY_EXAMPLES: &str = "\
Examples:
  servgap survey data/example_survey.csv --by site
  servgap survey data/example_survey.csv --importance data/example_importance.csv -o servqual.xlsx
  servgap survey export.csv --columns columns.csv --encoding gb18030 --table dimensions -o dims.csv";

const SQI_EXAMPLES: &str = "\
Examples:
  servgap sqi data/example_incidents.csv --volume data/example_volume.csv --period month
  servgap sqi data/example_incidents.csv --by site --max-points 900 -o summary.md
  servgap sqi incidents.csv --weights evans10 --format csv --table pareto";

const GAPS_EXAMPLES: &str = "\
Examples:
  servgap gaps --customers data/example_survey.csv --management data/example_management.csv
  servgap gaps --customers data/example_survey.csv --delivery data/example_delivery.csv --model mot
  servgap gaps --customers survey.csv --management managers.csv --by site -o gaps.xlsx";

const COMPLIANCE_EXAMPLES: &str = "\
Examples:
  servgap compliance data/example_events.csv --standards data/example_hard_standards.csv
  servgap compliance data/example_events.csv --standards data/example_hard_standards.csv --by site
  servgap compliance events.csv --standards hard.csv --period week --fail-on-miss -o week.md";

const REPORT_EXAMPLES: &str = "\
Examples:
  servgap report --config data/example.toml -o report.html
  servgap report --config data/example.toml --lang zh -o 报告.html
  servgap report --incidents data/example_incidents.csv --max-points 900 -o summary.md";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Expectation vs perception (SERVQUAL gap 5): items, dimensions, overall score.
    #[command(after_help = SURVEY_EXAMPLES)]
    Survey(SurveyArgs),
    /// FedEx-style Service Quality Index: weighted incident points per period, control chart, Pareto, CI checks.
    #[command(after_help = SQI_EXAMPLES)]
    Sqi(SqiArgs),
    /// The gap model: gaps 1–4 (knowledge, standards, delivery, communication) beside gap 5.
    #[command(after_help = GAPS_EXAMPLES)]
    Gaps(GapsArgs),
    /// Hard-standard compliance from a service-event log, with Wilson intervals.
    #[command(after_help = COMPLIANCE_EXAMPLES)]
    Compliance(ComplianceArgs),
    /// Customer value: 80/20 concentration of profit and trouble, the four tiers, value-weighted SERVQUAL.
    #[command(after_help = VALUE_EXAMPLES)]
    Value(ValueArgs),
    /// Service-chain loss: what each link must provide when losses compound.
    #[command(after_help = CHAIN_EXAMPLES)]
    Chain(ChainArgs),
    /// One report (HTML with charts, or Markdown) with a section for each analysis its inputs allow.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(Box<ReportArgs>),
    /// Merges partial results (--emit-partial of survey, compliance, sqi) into the output of one run over all the parts.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
}

const MERGE_EXAMPLES: &str = "\
Examples:
  servgap sqi data/monthly/incidents_2026-01.csv --emit-partial jan.json -o jan.csv
  servgap sqi data/monthly/incidents_2026-02.csv --emit-partial feb.json -o feb.csv
  servgap merge jan.json feb.json --format csv
  servgap merge partials/*.json -o sqi.xlsx";

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial results written by --emit-partial (all of one command, computed with the same settings); `-` reads one from standard input.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<String>,
    /// Compliance: exit with code 1 when any standard misses its target (overall or in any group).
    #[arg(long)]
    pub fail_on_miss: bool,
    /// Also write the merged sums to FILE: a partial result of all the parts, to merge further.
    #[arg(long, value_name = "FILE")]
    pub emit_partial: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

const VALUE_EXAMPLES: &str = "\
Examples:
  servgap value data/example_customers.csv
  servgap value data/example_customers.csv --survey data/example_survey.csv --by site
  servgap value customers.csv --top 0.1 --format csv --table tiers";

const CHAIN_EXAMPLES: &str = "\
Examples:
  servgap chain data/example_chain.csv
  servgap chain data/example_chain.csv --share 0.3 --format json";

#[derive(Debug, Args)]
pub struct ValueArgs {
    /// Customers CSV: customer_id,profit[,service_cost][,tickets][,products][,group columns]; `-` reads standard input.
    pub customers: String,
    /// A customer survey to join on respondent_id = customer_id (any form `survey` reads but the summary).
    #[arg(long, value_name = "SURVEY.csv")]
    pub survey: Option<String>,
    /// The survey's instrument: servqual22 (default) or an instrument CSV.
    #[arg(long, value_name = "servqual22|FILE")]
    pub instrument: Option<String>,
    /// The survey's response scale.
    #[arg(long, default_value = "1-7", value_name = "LOW-HIGH")]
    pub scale: String,
    /// The share of customers called the top (the 20% of 80/20).
    #[arg(long, default_value_t = 0.2, value_name = "F", value_parser = finite)]
    pub top: f64,
    /// Also per value of this column of the customer file (repeatable).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ChainArgs {
    /// The chain CSV: link,loss, one row per link from the source to the customer.
    pub chain: String,
    /// The customer's share of the margin (seed 000: each side pays half).
    #[arg(long, default_value_t = 0.5, value_name = "S", value_parser = finite)]
    pub share: f64,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A TOML file naming the inputs and options (keys as these flags' names); flags override it.
    #[arg(long, value_name = "servgap.toml")]
    pub config: Option<String>,
    /// Customer survey (any form `survey` reads): the survey section, and the gap model's with its inputs.
    #[arg(long, value_name = "SURVEY.csv")]
    pub customers: Option<String>,
    /// Customer value file (customer_id,profit,…): the customer value section, joined with --customers.
    #[arg(long, value_name = "CUSTOMERS.csv")]
    pub value: Option<String>,
    /// The share of customers called the top in the customer value section.
    #[arg(long, value_name = "F", value_parser = finite)]
    pub top: Option<f64>,
    /// Service chain file (link,loss): the service chain section.
    #[arg(long, value_name = "CHAIN.csv")]
    pub chain: Option<String>,
    /// The customer's share of the chain's margin.
    #[arg(long, value_name = "S", value_parser = finite)]
    pub share: Option<f64>,
    /// Instrument: `servqual22` (built in) or a CSV `item,dimension[,text]`.
    #[arg(long, value_name = "servqual22|FILE")]
    pub instrument: Option<String>,
    /// Importance weights: `respondent_id,dimension,points` or `dimension,weight`.
    #[arg(long, value_name = "FILE")]
    pub importance: Option<String>,
    /// Column map for the customer survey: CSV `column,item,measure`.
    #[arg(long, value_name = "FILE")]
    pub columns: Option<String>,
    /// Response scale of the survey and the gap model's inputs [default: 1-7].
    #[arg(long, value_name = "LOW-HIGH")]
    pub scale: Option<String>,
    /// Management survey (M) for the gap model.
    #[arg(long, value_name = "FILE")]
    pub management: Option<String>,
    /// Standards and promises (S, C) for the gap model.
    #[arg(long, value_name = "FILE")]
    pub standards: Option<String>,
    /// Delivery assessment (D) for the gap model.
    #[arg(long, value_name = "FILE")]
    pub delivery: Option<String>,
    /// Gap 4: `pzb` D − C or `mot` D − E [default: pzb].
    #[arg(long, value_enum)]
    pub model: Option<ModelArg>,
    /// Hard standards `standard_id,description,metric,op,threshold,target[,item]` (with --events).
    #[arg(long, value_name = "HARD.csv")]
    pub hard_standards: Option<String>,
    /// Service events, one row per event with the metric columns (with --hard-standards).
    #[arg(long, value_name = "EVENTS.csv")]
    pub events: Option<String>,
    /// The events' date column, for --period [default: date].
    #[arg(long, value_name = "COL")]
    pub date: Option<String>,
    /// Incident log for the Service Quality Index.
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<String>,
    /// SQI weights: `fedex12`, `evans10` or a CSV [default: fedex12].
    #[arg(long, value_name = "fedex12|evans10|FILE")]
    pub weights: Option<String>,
    /// SQI volume file, for points per unit.
    #[arg(long, value_name = "FILE")]
    pub volume: Option<String>,
    /// SQI units per normalisation [default: 1000].
    #[arg(long, value_name = "N", value_parser = positive)]
    pub per: Option<f64>,
    /// SQI check: weighted points of a period must not exceed X (exit code 1 if they do).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub max_points: Option<f64>,
    /// SQI check: points per unit of a period must not exceed X.
    #[arg(long, value_name = "X", value_parser = finite)]
    pub max_per_unit: Option<f64>,
    /// Exit with code 1 when a hard standard misses its target.
    #[arg(long)]
    pub fail_on_miss: bool,
    /// What counts as a hard-standard miss: point or certain (see `servgap compliance --help`).
    #[arg(long, value_enum)]
    pub miss_rule: Option<MissRuleArg>,
    /// SQI control chart: u or laney (see `servgap sqi --help`).
    #[arg(long, value_enum)]
    pub chart: Option<ChartArg>,
    /// SQI run rules: we, nelson or none.
    #[arg(long, value_enum)]
    pub rules: Option<RulesArg>,
    /// Group every analysis by this column of its files (repeatable).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    /// Group the survey (and the gap model) by this column instead of --by (repeatable).
    #[arg(long, value_name = "COL")]
    pub customers_by: Vec<String>,
    /// Group compliance by this column of the events instead of --by (repeatable).
    #[arg(long, value_name = "COL")]
    pub events_by: Vec<String>,
    /// Group the SQI by this column of the incident log instead of --by (repeatable).
    #[arg(long, value_name = "COL")]
    pub incidents_by: Vec<String>,
    /// Period of the SQI (and of compliance, by its date column) [default: day; compliance overall].
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,
    /// Language of every heading, label and sentence: `auto` follows LC_ALL / LANG.
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Report format [default: from --output's extension, else html].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormatArg>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
    /// Input encoding (default: UTF-8 if valid, else GB18030).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// What to do with a row holding an invalid value [default: error].
    #[arg(long, value_enum)]
    pub on_invalid: Option<OnInvalidArg>,
    /// Threads for large files [default: all cores, up to 8].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangArg {
    Auto,
    En,
    Zh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormatArg {
    Html,
    Markdown,
}

#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Customer survey (any form `survey` reads); `-` reads standard input.
    #[arg(long, value_name = "SURVEY.csv")]
    pub customers: String,
    /// Management survey `respondent_id,item,score`: managers' estimate of what customers expect (M).
    #[arg(long, value_name = "FILE")]
    pub management: Option<String>,
    /// Standards `item,standard[,promise]` or `dimension,standard[,promise]` (S and C).
    #[arg(long, value_name = "FILE")]
    pub standards: Option<String>,
    /// Delivery assessment `respondent_id,item,score`: the service as delivered (D).
    #[arg(long, value_name = "FILE")]
    pub delivery: Option<String>,
    /// Gap 4: `pzb` D − C (delivery vs promise) or `mot` D − E.
    #[arg(long, value_enum, default_value_t = ModelArg::Pzb)]
    pub model: ModelArg,
    /// Instrument: `servqual22` (built in) or a CSV `item,dimension[,text]`.
    #[arg(long, value_name = "servqual22|FILE")]
    pub instrument: Option<String>,
    /// Repeat every table per value of this survey column (the other inputs are matched on it when they have it).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    /// Response scale of every input, e.g. 1-5, 1-7.
    #[arg(long, default_value = "1-7", value_name = "LOW-HIGH")]
    pub scale: String,
    /// Column map for the customer survey: CSV `column,item,measure`.
    #[arg(long, value_name = "FILE")]
    pub columns: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelArg {
    Pzb,
    Mot,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// Service events CSV, one row per event with the metric columns; `-` reads standard input.
    pub events: String,
    /// Hard standards `standard_id,description,metric,op,threshold,target[,item]`.
    #[arg(long, value_name = "FILE")]
    pub standards: String,
    /// Also per value of this column (repeatable).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    /// Also per period of the date column.
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,
    /// The date column for --period.
    #[arg(long, default_value = "date", value_name = "COL")]
    pub date: String,
    /// Exit with code 1 when any standard misses its target (overall or in any group).
    #[arg(long)]
    pub fail_on_miss: bool,
    /// What counts as a miss: point (compliance below the target) or certain (the 95% interval's upper end below it).
    #[arg(long, value_enum, default_value_t = MissRuleArg::Point)]
    pub miss_rule: MissRuleArg,
    /// Also write this part's partial result (JSON) to FILE, for `servgap merge` (see docs/merge.md).
    #[arg(long, value_name = "FILE")]
    pub emit_partial: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SqiArgs {
    /// Incident log CSV `date,category[,count][,group columns…]`; `-` reads standard input.
    pub incidents: String,
    /// Weights: `fedex12` or `evans10` (built in) or a CSV `category,weight[,description]`.
    #[arg(long, default_value = "fedex12", value_name = "fedex12|evans10|FILE")]
    pub weights: String,
    /// Volume CSV `date[,group columns…],volume`, for points per unit.
    #[arg(long, value_name = "FILE")]
    pub volume: Option<String>,
    /// Units per normalisation: points per N units of volume.
    #[arg(long, default_value_t = 1000.0, value_name = "N", value_parser = positive)]
    pub per: f64,
    /// Period length.
    #[arg(long, value_enum, default_value_t = PeriodArg::Day)]
    pub period: PeriodArg,
    /// One row per period and value of this column (repeatable).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    /// Check: weighted points of a period must not exceed X (exit code 1 if they do).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub max_points: Option<f64>,
    /// Check: points per unit of a period must not exceed X (needs --volume).
    #[arg(long, value_name = "X", value_parser = finite)]
    pub max_per_unit: Option<f64>,
    /// Which periods the checks look at.
    #[arg(long, value_enum, default_value_t = CheckArg::Last)]
    pub check: CheckArg,
    /// Control chart: u (demerit u-chart) or laney (u′, limits widened by the spread the cells show).
    #[arg(long, value_enum, default_value_t = ChartArg::U)]
    pub chart: ChartArg,
    /// Run rules flagging runs and trends: we (Western Electric), nelson, or none.
    #[arg(long, value_enum, default_value_t = RulesArg::We)]
    pub rules: RulesArg,
    /// Check: exit 1 when a run rule signals in the checked periods.
    #[arg(long)]
    pub fail_on_signal: bool,
    /// Also write this part's partial result (JSON) to FILE, for `servgap merge` (see docs/merge.md).
    #[arg(long, value_name = "FILE")]
    pub emit_partial: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodArg {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartArg {
    U,
    Laney,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RulesArg {
    We,
    Nelson,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckArg {
    /// The latest period.
    Last,
    /// Every period.
    All,
}

#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// Survey CSV (long, wide or summary form); `-` reads standard input.
    pub survey: String,
    /// Instrument: `servqual22` (built in) or a CSV `item,dimension[,text]`.
    #[arg(long, value_name = "servqual22|FILE")]
    pub instrument: Option<String>,
    /// Importance weights: `respondent_id,dimension,points` or `dimension,weight`.
    #[arg(long, value_name = "FILE")]
    pub importance: Option<String>,
    /// Repeat every table per value of this column (repeatable).
    #[arg(long, value_name = "COL")]
    pub by: Vec<String>,
    /// Response scale, e.g. 1-5, 1-7, 1-9.
    #[arg(long, default_value = "1-7", value_name = "LOW-HIGH")]
    pub scale: String,
    /// Column map for real exports: CSV `column,item,measure`.
    #[arg(long, value_name = "FILE")]
    pub columns: Option<String>,
    /// Also write this part's partial result (JSON) to FILE, for `servgap merge` (see docs/merge.md).
    #[arg(long, value_name = "FILE")]
    pub emit_partial: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Input encoding (default: UTF-8 if valid, else GB18030), e.g. gb18030, gbk, big5, cp949, shift_jis.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// What to do with a row holding an invalid value.
    #[arg(long, value_enum, default_value_t = OnInvalidArg::Error)]
    pub on_invalid: OnInvalidArg,
    /// Threads for large files (default: all cores, up to 8; at most 64).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// With --on-invalid report: how many invalid rows to list.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_errors: usize,
    /// How inputs are laid out: auto (by extension: .parquet, .arrow/.ipc/.feather, else CSV), or as named for
    /// standard input and other extensions.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormatArg {
    Auto,
    Csv,
    Parquet,
    Ipc,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissRuleArg {
    /// Compliance below the target.
    Point,
    /// The 95% interval's upper end below the target (a miss its interval confirms).
    Certain,
}

#[derive(Debug, Clone, Copy, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnInvalidArg {
    /// Stop with an error naming file, line, column and value (exit code 3).
    Error,
    /// Skip the row and count it as rejected.
    Skip,
    /// Report every invalid row of the file (up to --max-errors), then exit 3 (code 3).
    Report,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format [default: from the --output extension (.json .csv .md .xlsx .parquet), else table].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to FILE (atomically: a temporary file, then rename) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
    /// The table --format csv or parquet writes (its JSON key, e.g. items, dimensions, periods); `list` names them.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Start CSV with a UTF-8 byte-order mark, so that Excel reads 上海 right.
    #[arg(long)]
    pub bom: bool,
    /// Show every column of terminal tables instead of fitting them to the terminal's width.
    #[arg(long)]
    pub wide: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Table,
    Markdown,
    Json,
    Csv,
    Xlsx,
    Parquet,
}

/// A finite number (a NaN or infinite limit would switch a check off).
fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("'{s}' is not a finite number")),
    }
}

/// A finite number above zero.
fn positive(s: &str) -> Result<f64, String> {
    match finite(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not above zero")),
    }
}

/// Parses the command line; on `--help`/`--version` or a usage error returns
/// the exit code to leave with (0 or 2) after printing.
pub fn parse() -> Result<Cli, u8> {
    Cli::try_parse().map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            servgap::exit_codes::USAGE
        } else {
            servgap::exit_codes::SUCCESS
        }
    })
}
