//! Calendar periods (SPEC §4.4): a date cell is read once, then bucketed into
//! a day (`2026-01-31`), an ISO week (`2026-W05`, Monday to Sunday, the year
//! being the one that holds the week's Thursday), a month (`2026-01`), a
//! quarter (`2026-Q1`) or a year (`2026`).
//! Dates are ISO `YYYY-MM-DD` or timestamps (RFC 3339, or the same without an
//! offset); a timestamp counts on the calendar date it is written with, the
//! date its own offset gives it, as a shift report would.
//!
//! Date arithmetic is chrono's; this module only decides what a period is and
//! how it is labelled.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// The length of a period.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One calendar day.
    #[default]
    Day,
    /// One ISO 8601 week (Monday to Sunday).
    Week,
    /// One calendar month.
    Month,
    /// One calendar quarter (January–March is Q1).
    Quarter,
    /// One calendar year.
    Year,
}

impl PeriodKind {
    /// Parses `day`, `week`, `month`, `quarter` or `year` (any case).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" | "daily" => Ok(PeriodKind::Day),
            "week" | "weekly" => Ok(PeriodKind::Week),
            "month" | "monthly" => Ok(PeriodKind::Month),
            "quarter" | "quarterly" => Ok(PeriodKind::Quarter),
            "year" | "yearly" | "annual" => Ok(PeriodKind::Year),
            _ => Err(Error::usage(format!(
                "unknown period '{s}' (day, week, month, quarter, year)"
            ))),
        }
    }

    /// Whether a period of this kind can hold more days than a cell's
    /// 32-bit day set: such periods are made from month cells
    /// ([`PeriodKind::read_as`]).
    pub fn longer_than_a_month(self) -> bool {
        matches!(self, PeriodKind::Quarter | PeriodKind::Year)
    }

    /// The kind cells are read as for periods of this kind: a month for
    /// quarters and years (rolled up after reading), else this kind.
    pub fn read_as(self) -> PeriodKind {
        match self.longer_than_a_month() {
            true => PeriodKind::Month,
            false => self,
        }
    }

    /// The period of this kind holding `p` (of a shorter kind).
    pub fn period_holding(self, p: Period) -> Period {
        self.period_of(p.first_day()).0
    }

    /// The period holding `date`, and the date's 0-based position in it
    /// (always 0 for a day, 0–6 for a week, 0–30 for a month).
    pub fn period_of(self, date: NaiveDate) -> (Period, u32) {
        let days = date.num_days_from_ce();
        match self {
            PeriodKind::Day => (
                Period {
                    kind: self,
                    key: days,
                },
                0,
            ),
            PeriodKind::Week => {
                let offset = date.weekday().num_days_from_monday();
                (
                    Period {
                        kind: self,
                        key: days - offset as i32,
                    },
                    offset,
                )
            }
            PeriodKind::Month => (
                Period {
                    kind: self,
                    key: date.year() * 12 + date.month0() as i32,
                },
                date.day0(),
            ),
            // a day's place in these is not kept (see `read_as`): its
            // place in its month
            PeriodKind::Quarter => (
                Period {
                    kind: self,
                    key: date.year() * 4 + (date.month0() / 3) as i32,
                },
                date.day0(),
            ),
            PeriodKind::Year => (
                Period {
                    kind: self,
                    key: date.year(),
                },
                date.day0(),
            ),
        }
    }
}

/// One period: a day, an ISO week or a month. Ordered in time; shown and
/// serialised as its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    kind: PeriodKind,
    /// Days from the common era of the day or of the week's Monday,
    /// `year * 12 + month0` for a month, `year * 4 + quarter0` for a
    /// quarter, the year for a year.
    key: i32,
}

impl Period {
    /// The kind of period.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// A key that orders periods of one kind in time.
    pub(crate) fn sort_key(&self) -> i32 {
        self.key
    }

    /// The period of a kind with a [`Period::sort_key`].
    pub(crate) fn of_key(kind: PeriodKind, key: i32) -> Self {
        Period { kind, key }
    }

    /// The first calendar day of the period.
    pub fn first_day(&self) -> NaiveDate {
        match self.kind {
            PeriodKind::Day | PeriodKind::Week => {
                NaiveDate::from_num_days_from_ce_opt(self.key).unwrap_or_default()
            }
            PeriodKind::Month => NaiveDate::from_ymd_opt(
                self.key.div_euclid(12),
                self.key.rem_euclid(12) as u32 + 1,
                1,
            )
            .unwrap_or_default(),
            PeriodKind::Quarter => NaiveDate::from_ymd_opt(
                self.key.div_euclid(4),
                self.key.rem_euclid(4) as u32 * 3 + 1,
                1,
            )
            .unwrap_or_default(),
            PeriodKind::Year => NaiveDate::from_ymd_opt(self.key, 1, 1).unwrap_or_default(),
        }
    }

    /// The label: `2026-01-31`, `2026-W05`, `2026-01`, `2026-Q1` or `2026`.
    pub fn label(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first_day();
        match self.kind {
            PeriodKind::Day => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            PeriodKind::Week => {
                let w = d.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", d.year(), d.month0() / 3 + 1),
            PeriodKind::Year => write!(f, "{:04}", d.year()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses a date cell (already trimmed): `YYYY-MM-DD`, or a timestamp
/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (`T` or a space), with or without
/// the offset. `None` when it is not a real date (e.g. `2026-02-30`).
pub fn parse_date(cell: &[u8]) -> Option<NaiveDate> {
    if cell.len() == 10 {
        return ymd(cell);
    }
    if cell.len() < 16 || !matches!(cell[10], b'T' | b't' | b' ') {
        return None;
    }
    let s = std::str::from_utf8(cell).ok()?;
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.date_naive());
    }
    let t = s.replacen([' ', 't'], "T", 1);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Some(dt.date());
        }
    }
    None
}

/// `YYYY-MM-DD`, strictly: four-digit year, two-digit month and day.
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(kind: PeriodKind, date: &str) -> String {
        let d = parse_date(date.as_bytes()).expect("a valid date");
        kind.period_of(d).0.label()
    }

    #[test]
    fn iso_weeks_across_year_boundaries() {
        // 2025-12-29 is a Monday in the week whose Thursday is 2026-01-01.
        assert_eq!(label(PeriodKind::Week, "2025-12-29"), "2026-W01");
        assert_eq!(label(PeriodKind::Week, "2025-12-28"), "2025-W52");
        // 2026 starts on a Thursday, so it has 53 weeks; 2027-01-03 is a Sunday.
        assert_eq!(label(PeriodKind::Week, "2027-01-03"), "2026-W53");
        assert_eq!(label(PeriodKind::Week, "2027-01-04"), "2027-W01");
        assert_eq!(label(PeriodKind::Week, "2026-01-31"), "2026-W05");
        assert_eq!(label(PeriodKind::Month, "2026-01-31"), "2026-01");
        assert_eq!(label(PeriodKind::Month, "2025-12-31"), "2025-12");
        assert_eq!(label(PeriodKind::Day, "2026-01-31"), "2026-01-31");
        assert_eq!(label(PeriodKind::Quarter, "2026-01-01"), "2026-Q1");
        assert_eq!(label(PeriodKind::Quarter, "2026-03-31"), "2026-Q1");
        assert_eq!(label(PeriodKind::Quarter, "2026-04-01"), "2026-Q2");
        assert_eq!(label(PeriodKind::Quarter, "2025-12-31"), "2025-Q4");
        assert_eq!(label(PeriodKind::Year, "2025-12-31"), "2025");
        assert_eq!(label(PeriodKind::Year, "2026-01-01"), "2026");
        let march = PeriodKind::Month
            .period_of(NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default())
            .0;
        assert_eq!(PeriodKind::Quarter.period_holding(march).label(), "2026-Q1");
    }

    #[test]
    fn positions_within_periods() {
        let d = |s: &str| parse_date(s.as_bytes()).expect("a valid date");
        assert_eq!(PeriodKind::Week.period_of(d("2027-01-03")).1, 6);
        assert_eq!(PeriodKind::Week.period_of(d("2025-12-29")).1, 0);
        assert_eq!(PeriodKind::Month.period_of(d("2026-01-31")).1, 30);
        let (a, _) = PeriodKind::Week.period_of(d("2025-12-29"));
        let (b, _) = PeriodKind::Week.period_of(d("2026-01-04"));
        assert_eq!(a, b);
        assert!(
            PeriodKind::Month.period_of(d("2025-12-31")).0
                < PeriodKind::Month.period_of(d("2026-01-01")).0
        );
    }

    #[test]
    fn dates_and_timestamps() {
        let d = |s: &str| parse_date(s.as_bytes()).map(|d| d.to_string());
        assert_eq!(d("2026-03-02").as_deref(), Some("2026-03-02"));
        assert_eq!(
            d("2026-03-02T23:30:00+08:00").as_deref(),
            Some("2026-03-02")
        );
        assert_eq!(d("2026-03-02T23:30:00Z").as_deref(), Some("2026-03-02"));
        assert_eq!(d("2026-03-02 08:15:00").as_deref(), Some("2026-03-02"));
        assert_eq!(d("2026-03-02T08:15:00.250").as_deref(), Some("2026-03-02"));
        assert_eq!(d("2026-02-30"), None);
        assert_eq!(d("2026-13-01"), None);
        assert_eq!(d("2026/03/02"), None);
        assert_eq!(d("02.03.2026"), None);
        assert_eq!(d("2026-03-02T25:00:00Z"), None);
        assert_eq!(d("yesterday"), None);
    }
}
