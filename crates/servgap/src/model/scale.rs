//! The response scale a survey's scores lie on (SPEC §3.1), e.g. 1–7:
//! the survey reader refuses a score off it, the gap readers refuse a
//! rating or standard off it, and reports name it.

use crate::error::{Error, Result};

/// The response scale, e.g. 1–7 (SPEC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scale {
    /// Lowest valid score.
    pub min: f64,
    /// Highest valid score.
    pub max: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { min: 1.0, max: 7.0 }
    }
}

impl Scale {
    /// Parses `a-b` (also `a..b`, `a:b`; a leading minus is a sign).
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || Error::usage(format!("--scale must look like 1-7 (low-high), not '{s}'"));
        let (a, b) = if let Some((a, b)) = t.split_once("..") {
            (a, b)
        } else if let Some((a, b)) = t.split_once(':') {
            (a, b)
        } else {
            let start = usize::from(t.starts_with('-'));
            let p = t[start..].find('-').ok_or_else(bad)? + start;
            (&t[..p], &t[p + 1..])
        };
        let min: f64 = a.trim().parse().map_err(|_| bad())?;
        let max: f64 = b.trim().parse().map_err(|_| bad())?;
        if !(min.is_finite() && max.is_finite() && min < max) {
            return Err(bad());
        }
        Ok(Scale { min, max })
    }

    /// Whether `v` lies on the scale.
    #[inline]
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min && v <= self.max
    }
}

impl std::fmt::Display for Scale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.min, self.max)
    }
}
