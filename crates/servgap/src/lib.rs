//! # servgap
//!
//! Service-quality gap analytics: SERVQUAL expectation vs perception
//! ("gap 5") with item and dimension statistics, Cronbach's α, zone of
//! tolerance and importance–performance quadrants, read from CSV exports in
//! any of the forms survey tools produce.
//!
//! Data flows one way: [`input`] reads and validates (file, line, column and
//! value on every error), [`survey`] computes, [`render`] formats. Results are
//! plain structs that serialise to the JSON schema of the `servgap` binary.
//!
//! ## Example
//!
//! ```no_run
//! use servgap::input::Source;
//! use servgap::survey::{run_survey, SurveyConfig};
//!
//! let report = run_survey(&Source::from_arg("data/example_survey.csv"), &SurveyConfig::default())?;
//! println!("SERVQUAL score: {:?}", report.all.servqual.unweighted);
//! for d in &report.all.dimensions {
//!     println!("{}: gap {:?} (n = {:?})", d.dimension, d.gap, d.n);
//! }
//! # Ok::<(), servgap::Error>(())
//! ```

pub mod compliance;
pub mod error;
pub mod gaps;
pub mod input;
pub mod model;
pub mod period;
pub mod render;
pub mod sqi;
pub mod stats;
pub mod survey;

pub use error::{exit_codes, Error, ErrorKind, Result};
