//! # servgap
//!
//! Service-quality gap analytics: SERVQUAL expectation vs perception
//! ("gap 5") with item and dimension statistics, Cronbach's α, zone of
//! tolerance and importance–performance quadrants, read from CSV exports in
//! any of the forms survey tools produce.
//!
//! Data flows one way: [`input`] reads and validates (file, line, column and
//! value on every error) into the typed records of [`model`]; the analyses
//! ([`survey`], [`gaps`], [`compliance`], [`sqi`]) compute from those
//! records and never open a file; [`render`] formats their results.
//! [`pipeline`] is the only code that touches both ends: its `run_*`
//! functions read, analyse and assemble a report. Results are plain structs
//! that serialise to the JSON schema of the `servgap` binary.
//!
//! ## Example
//!
//! ```no_run
//! use servgap::input::Source;
//! use servgap::{run_survey, SurveyConfig};
//!
//! let report = run_survey(&Source::from_arg("data/example_survey.csv"), &SurveyConfig::default())?;
//! println!("SERVQUAL score: {:?}", report.all.servqual.unweighted);
//! for d in &report.all.dimensions {
//!     println!("{}: gap {:?} (n = {:?})", d.dimension, d.gap, d.n);
//! }
//! # Ok::<(), servgap::Error>(())
//! ```

pub(crate) mod bytes;
pub mod chain;
pub mod compliance;
pub mod error;
pub mod gaps;
pub mod input;
pub mod model;
pub mod partial;
pub mod period;
pub mod pipeline;
pub mod render;
pub mod report;
pub mod sqi;
pub mod stats;
pub mod survey;
pub mod value;

pub use chain::run_chain;
pub use error::{exit_codes, Error, ErrorKind, Position, Result};
pub use pipeline::{
    merge_partials, run_compliance, run_gaps, run_report, run_sqi, run_survey, run_value,
    ComplianceConfig, GapsConfig, ReportConfig, SqiConfig, SurveyConfig, ValueConfig,
};

/// The Rust examples of the README and of `docs/rust.md`, compiled as
/// doctests so that they cannot drift from the API.
#[cfg(doctest)]
mod documentation_examples {
    #[doc = include_str!("../../../README.md")]
    struct Readme;

    #[cfg(feature = "polars")]
    #[doc = include_str!("../../../docs/rust.md")]
    struct RustGuide;
}
