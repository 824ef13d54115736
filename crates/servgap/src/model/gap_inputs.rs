//! The gap model's inputs besides the customer survey (SPEC §3.4), as
//! read: management and delivery ratings per respondent and item, and the
//! service standards and promises per item or dimension, each possibly per
//! `--by` group. The gaps analysis asks them for means and standards of a
//! group; `input::gap_inputs` reads them.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::instrument::Instrument;
use crate::model::tallies::RowCounts;

/// One rating: a respondent's score for an item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rating {
    pub respondent: u32,
    pub item: usize,
    pub score: f64,
    pub group: Vec<Option<String>>,
}

/// Ratings per respondent and item (management survey or delivery assessment).
#[derive(Debug, Clone, PartialEq)]
pub struct Ratings {
    /// The file.
    pub name: String,
    /// Rows read, used (a score or a missing mark), rejected.
    pub rows: RowCounts,
    /// Rows whose score was missing (`NA`, empty).
    pub missing: u64,
    pub(crate) ratings: Vec<Rating>,
    /// Which `--by` columns the file has.
    pub(crate) has_by: Vec<bool>,
}

/// Item and dimension means of a set of ratings (per respondent first for
/// dimensions, as SPEC §4.1).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RatingMeans {
    /// Mean score per item (instrument order); `None` without ratings.
    pub items: Vec<Option<f64>>,
    /// Mean over respondents of their mean score in the dimension.
    pub dimensions: Vec<Option<f64>>,
    /// Respondents with at least one rating.
    pub respondents: u64,
}

/// Whether a row's group values fit a group key: columns the file lacks
/// (`None` in `has`) fit any value.
fn fits(row: &[Option<String>], key: &[(String, String)]) -> bool {
    row.iter()
        .zip(key)
        .all(|(v, (_, want))| v.as_ref().is_none_or(|v| v == want))
}

impl Ratings {
    /// Whether the file has `--by` column `j`.
    pub fn has_by(&self, j: usize) -> bool {
        self.has_by.get(j).copied().unwrap_or(false)
    }

    /// Means over the ratings that fit a group key (all of them for `[]`).
    pub fn means(&self, ins: &Instrument, key: &[(String, String)]) -> RatingMeans {
        let k = ins.items.len();
        let nd = ins.dimensions.len();
        let mut item_sum = vec![(0.0, 0u64); k];
        // respondent → per-dimension (sum, n)
        let mut per: HashMap<u32, Vec<(f64, u64)>> = HashMap::new();
        for r in self.ratings.iter().filter(|r| fits(&r.group, key)) {
            item_sum[r.item].0 += r.score;
            item_sum[r.item].1 += 1;
            let d = ins.items[r.item].dimension;
            let e = per
                .entry(r.respondent)
                .or_insert_with(|| vec![(0.0, 0); nd]);
            e[d].0 += r.score;
            e[d].1 += 1;
        }
        let mut dim_sum = vec![(0.0, 0u64); nd];
        let mut respondents: Vec<_> = per.into_iter().collect();
        respondents.sort_by_key(|(id, _)| *id); // a fixed summation order
        for (_, dims) in &respondents {
            for (d, &(s, n)) in dims.iter().enumerate() {
                if n > 0 {
                    dim_sum[d].0 += s / n as f64;
                    dim_sum[d].1 += 1;
                }
            }
        }
        let mean = |(s, n): (f64, u64)| (n > 0).then(|| s / n as f64);
        RatingMeans {
            items: item_sum.into_iter().map(mean).collect(),
            dimensions: dim_sum.into_iter().map(mean).collect(),
            respondents: respondents.len() as u64,
        }
    }
}

/// What a standards row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    Item(usize),
    Dimension(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StandardRow {
    pub target: Target,
    pub standard: Option<f64>,
    pub promise: Option<f64>,
    pub group: Vec<Option<String>>,
}

/// Service standards (S) and promises (C) per item or dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Standards {
    /// The file.
    pub name: String,
    /// Rows read, used, rejected.
    pub rows: RowCounts,
    /// Whether the file has a `promise` column.
    pub has_promise: bool,
    pub(crate) rows_: Vec<StandardRow>,
    pub(crate) has_by: Vec<bool>,
}

/// Standard and promise per item of one group.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ItemStandards {
    /// S per item (instrument order).
    pub standard: Vec<Option<f64>>,
    /// C per item.
    pub promise: Vec<Option<f64>>,
}

impl Standards {
    /// Whether the file has `--by` column `j`.
    pub fn has_by(&self, j: usize) -> bool {
        self.has_by.get(j).copied().unwrap_or(false)
    }

    /// S and C per item for a group: item rows first, then dimension rows
    /// for the items they leave open; rows naming the group's values win
    /// over rows that apply to every group.
    pub fn per_item(&self, ins: &Instrument, key: &[(String, String)]) -> ItemStandards {
        let k = ins.items.len();
        let mut out = ItemStandards {
            standard: vec![None; k],
            promise: vec![None; k],
        };
        // Rank: 0 item & group-specific, 1 item, 2 dimension & group-specific, 3 dimension.
        let mut rank = vec![u8::MAX; k];
        for r in self.rows_.iter().filter(|r| fits(&r.group, key)) {
            let specific = r.group.iter().any(Option::is_some);
            let (items, base): (Vec<usize>, u8) = match r.target {
                Target::Item(i) => (vec![i], 0),
                Target::Dimension(d) => {
                    ((0..k).filter(|&i| ins.items[i].dimension == d).collect(), 2)
                }
            };
            let r_rank = base + u8::from(!specific);
            for i in items {
                if r_rank < rank[i] {
                    rank[i] = r_rank;
                    out.standard[i] = r.standard;
                    out.promise[i] = r.promise;
                }
            }
        }
        out
    }
}
