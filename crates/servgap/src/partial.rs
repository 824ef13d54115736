//! Partial results that merge exactly: what `--emit-partial FILE` writes
//! for a part of the data and `servgap merge` combines into the report of
//! one run over every part. A company whose logs outgrow one file or one
//! machine runs servgap per daily file or per partition of a warehouse
//! export, anywhere, and merges the partials; no engine is needed because
//! every figure of survey, compliance and SQI comes from sums that add up
//! (counts, sums, co-moments, cells).
//!
//! A partial result is a JSON document, `{"schema":
//! "servgap/partial/v1", "partial": {"survey" | "compliance" | "sqi":
//! {…}}}`, holding the sums and the settings they were computed under.
//! Its layout is servgap's own: read it with servgap, not by hand. Parts
//! merge only when computed with the same settings (instrument, weights,
//! `--by`, `--period`, …); a part that differs is an error naming it and
//! the setting.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::compliance::partial::CompliancePartial;
use crate::compliance::ComplianceReport;
use crate::error::{Error, Result};
use crate::sqi::partial::SqiPartial;
use crate::sqi::SqiReport;
use crate::survey::partial::SurveyPartial;
use crate::survey::SurveyReport;

/// The schema tag of a partial result.
pub const PARTIAL_SCHEMA: &str = "servgap/partial/v1";

/// The sums of one part of the data (or of several parts merged).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partial {
    /// `servgap survey --emit-partial`.
    Survey(SurveyPartial),
    /// `servgap compliance --emit-partial`.
    Compliance(CompliancePartial),
    /// `servgap sqi --emit-partial`.
    Sqi(SqiPartial),
}

/// The report of merged partial results.
#[derive(Debug, Clone)]
pub enum MergedReport {
    /// Survey partials merged.
    Survey(Box<SurveyReport>),
    /// Compliance partials merged.
    Compliance(Box<ComplianceReport>),
    /// SQI partials merged.
    Sqi(Box<SqiReport>),
}

#[derive(Serialize)]
struct FileOut<'a> {
    schema: &'static str,
    partial: &'a Partial,
}

#[derive(Deserialize)]
struct FileIn {
    partial: Partial,
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    schema: Option<String>,
}

impl Partial {
    /// The command that wrote it.
    pub fn command(&self) -> &'static str {
        match self {
            Partial::Survey(_) => "survey",
            Partial::Compliance(_) => "compliance",
            Partial::Sqi(_) => "sqi",
        }
    }

    /// Writes it as JSON.
    pub fn write_json(&self, w: &mut dyn Write) -> Result<()> {
        let out = FileOut {
            schema: PARTIAL_SCHEMA,
            partial: self,
        };
        serde_json::to_writer(&mut *w, &out)
            .map_err(|e| Error::inconsistent(format!("a partial result cannot be written: {e}")))?;
        Ok(())
    }

    /// Reads a partial result from the JSON `bytes` of the file `name`.
    pub fn from_json(name: &str, bytes: &[u8]) -> Result<Partial> {
        let not_partial = |e: serde_json::Error| {
            Error::file(
                name,
                (e.line() > 0).then_some(e.line() as u64),
                format!("not a partial result of servgap ({PARTIAL_SCHEMA}): {e}"),
            )
        };
        let head: Head = serde_json::from_slice(bytes).map_err(not_partial)?;
        if head.schema.as_deref() != Some(PARTIAL_SCHEMA) {
            return Err(Error::file(
                name,
                None,
                format!(
                    "not a partial result of servgap: its schema is {}, not {PARTIAL_SCHEMA} (write one with --emit-partial)",
                    head.schema.map_or("missing".to_string(), |s| format!("'{s}'"))
                ),
            ));
        }
        let partial = serde_json::from_slice::<FileIn>(bytes)
            .map_err(not_partial)?
            .partial;
        match &partial {
            Partial::Survey(p) => p.check(name)?,
            Partial::Compliance(p) => p.check(name)?,
            Partial::Sqi(p) => p.check(name)?,
        }
        Ok(partial)
    }

    /// Merges the parts `(file name, partial)`: all of one command and
    /// computed with the same settings, else an error naming the part
    /// that differs.
    pub fn merge(parts: Vec<(String, Partial)>) -> Result<Partial> {
        let Some((first_name, first)) = parts.first() else {
            return Err(Error::usage("no partial results to merge"));
        };
        let command = first.command();
        if let Some((name, p)) = parts.iter().find(|(_, p)| p.command() != command) {
            return Err(Error::inconsistent(format!(
                "{name} is a partial result of servgap {}, {first_name} of servgap {command}: merge partials of one command",
                p.command()
            )));
        }
        macro_rules! merge_as {
            ($variant:ident, $ty:ty) => {{
                let parts: Vec<(String, $ty)> = parts
                    .into_iter()
                    .filter_map(|(n, p)| match p {
                        Partial::$variant(p) => Some((n, p)),
                        _ => None,
                    })
                    .collect();
                Partial::$variant(<$ty>::merge(parts)?)
            }};
        }
        Ok(match command {
            "survey" => merge_as!(Survey, SurveyPartial),
            "compliance" => merge_as!(Compliance, CompliancePartial),
            _ => merge_as!(Sqi, SqiPartial),
        })
    }

    /// The report of the data added up: what the command gives for all of it.
    pub fn report(&self) -> Result<MergedReport> {
        Ok(match self {
            Partial::Survey(p) => MergedReport::Survey(Box::new(p.report()?)),
            Partial::Compliance(p) => MergedReport::Compliance(Box::new(p.report())),
            Partial::Sqi(p) => MergedReport::Sqi(Box::new(p.report()?)),
        })
    }
}

/// An error unless a setting of the part `name` is the first part's.
pub(crate) fn same<T: PartialEq + Serialize>(
    name: &str,
    what: &str,
    first: &T,
    this: &T,
) -> Result<()> {
    if first == this {
        return Ok(());
    }
    let show = |t: &T| match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => crate::error::quoted(&s),
        Ok(v) => crate::error::quoted(&v.to_string()),
        Err(_) => String::new(),
    };
    Err(Error::file(
        name,
        None,
        format!(
            "computed with another {what} ({}) than the first partial result ({}): parts merge only when computed with the same settings",
            show(this),
            show(first)
        ),
    ))
}

/// The names `a` and `b` of merged parts, ` + ` between them (a name
/// already there is not repeated).
pub(crate) fn joined(a: &str, b: &str) -> String {
    if a.split(" + ").any(|x| x == b) {
        a.to_string()
    } else {
        format!("{a} + {b}")
    }
}
