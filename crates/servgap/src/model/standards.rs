//! Hard standards (SPEC §3.5): measurable service levels such as
//! "greeted within 4 minutes" (`wait_minutes <= 4` for 98% of visits), and
//! the counts the events reader keeps of them per standard, `--by` group
//! and period ([`Tally`] under a [`CellKey`]), which the compliance
//! analysis turns into rates. `input::events` reads both files.

use serde::Serialize;

use crate::model::tallies::RowCounts;
use crate::period::Period;

/// A comparison of a metric with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// Parses `<= < >= > == !=` (surrounding blanks allowed).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "<=" => Op::Le,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            ">" => Op::Gt,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            _ => return None,
        })
    }

    /// The operator as written.
    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// Whether `value op threshold` holds.
    #[inline]
    pub fn holds(&self, value: f64, threshold: f64) -> bool {
        match self {
            Op::Le => value <= threshold,
            Op::Lt => value < threshold,
            Op::Ge => value >= threshold,
            Op::Gt => value > threshold,
            Op::Eq => value == threshold,
            Op::Ne => value != threshold,
        }
    }
}

impl Serialize for Op {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Op {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Op::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not one of <= < >= > == !=")))
    }
}

/// One hard standard.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HardStandard {
    /// Its id, e.g. `greet_4min`.
    pub standard_id: String,
    /// What it says, e.g. "Greeted within 4 minutes".
    pub description: String,
    /// The events column it is measured on.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub threshold: f64,
    /// The required share of compliant events (0–1).
    pub target: f64,
    /// The survey item it serves, if given.
    pub item: Option<String>,
    /// The events it applies to: `(column, value)` conditions that must
    /// all hold (values compared as trimmed text); empty for every event.
    #[serde(skip)]
    pub scope: Vec<(String, String)>,
    /// Its line in the standards file.
    #[serde(skip)]
    pub line: u64,
}

/// The hard standards of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct HardStandards {
    /// The file.
    pub name: String,
    /// The standards, in file order.
    pub standards: Vec<HardStandard>,
    /// Rows read and used.
    pub rows: RowCounts,
}

/// Counts of one standard in one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// Events with the metric present.
    pub events: u64,
    /// Events missing the metric.
    pub missing: u64,
    /// Events that meet the standard.
    pub compliant: u64,
    /// Events outside the standard's scope (neither events nor missing).
    pub out_of_scope: u64,
}

impl Tally {
    /// Adds another cell's counts.
    pub fn add(&mut self, o: &Tally) {
        self.events += o.events;
        self.missing += o.missing;
        self.compliant += o.compliant;
        self.out_of_scope += o.out_of_scope;
    }
}

/// When a standard counts as missed (`--miss-rule`, SPEC §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissRule {
    /// Compliance below the target.
    #[default]
    Point,
    /// The 95% interval's upper end below the target: a miss the interval
    /// confirms.
    Certain,
}

/// A cell's key: its period (with `--period`) and its `--by` values.
pub type CellKey = (Option<Period>, Vec<String>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_parse_and_compare() {
        let cases = [
            ("<=", 4.0, true),
            ("<", 4.0, false),
            (">=", 4.0, true),
            (">", 4.0, false),
            ("==", 4.0, true),
            ("!=", 4.0, false),
        ];
        for (text, v, want) in cases {
            let op = Op::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(op.as_str(), text);
            assert_eq!(op.holds(v, 4.0), want, "{v} {text} 4");
        }
        assert_eq!(Op::parse(" <= "), Some(Op::Le));
        assert!(Op::parse("=<").is_none());
        assert!(Op::parse("=").is_none());
        assert!(Op::parse("lte").is_none());
        assert!(Op::Lt.holds(3.9, 4.0) && Op::Gt.holds(4.1, 4.0) && Op::Ne.holds(4.1, 4.0));
    }
}
