//! An instrument: which item belongs to which dimension (SPEC §3.2), and
//! how an item id as written in a file is found. The survey reader codes
//! items by it and every analysis groups items into dimensions by it; the
//! built-in `servqual22` and instrument files are read in
//! `input::instrument`.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use serde::Serialize;

/// One item of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemDef {
    /// Item id as written in the instrument (e.g. `q01`).
    pub id: String,
    /// Index into [`Instrument::dimensions`].
    pub dimension: usize,
    /// Item wording, if given.
    pub text: Option<String>,
}

/// Items grouped into dimensions, in the instrument's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    /// `servqual22` or the file it came from.
    pub name: String,
    /// Items in instrument order.
    pub items: Vec<ItemDef>,
    /// Dimension names in order of first appearance.
    pub dimensions: Vec<String>,
    exact: HashMap<Vec<u8>, usize, FixedState>,
    lower: HashMap<String, usize, FixedState>,
}

impl Instrument {
    /// An instrument with no items yet.
    pub(crate) fn empty(name: &str) -> Self {
        Instrument {
            name: name.into(),
            items: vec![],
            dimensions: vec![],
            exact: HashMap::with_hasher(FixedState::default()),
            lower: HashMap::with_hasher(FixedState::default()),
        }
    }

    /// Adds item `id` to dimension `dimension` (made when new; names
    /// match case-insensitively), after the items so far.
    pub(crate) fn push_item(&mut self, id: &str, dimension: &str, text: Option<String>) {
        let d = match self.dimension_index(dimension) {
            Some(d) => d,
            None => {
                self.dimensions.push(dimension.to_string());
                self.dimensions.len() - 1
            }
        };
        self.exact.insert(id.as_bytes().to_vec(), self.items.len());
        self.lower.insert(id.to_lowercase(), self.items.len());
        self.items.push(ItemDef {
            id: id.to_string(),
            dimension: d,
            text,
        });
    }

    /// The index of an item id (exact bytes first, then case-insensitive).
    #[inline]
    pub fn lookup(&self, id: &[u8]) -> Option<usize> {
        if let Some(&i) = self.exact.get(id) {
            return Some(i);
        }
        let s = std::str::from_utf8(id.trim_ascii()).ok()?;
        self.lower.get(&s.to_lowercase()).copied()
    }

    /// Like [`Instrument::lookup`], trying item `hint` first (exports list
    /// items in instrument order, so the next item is usually the last + 1).
    #[inline]
    pub fn lookup_hinted(&self, id: &[u8], hint: usize) -> Option<usize> {
        if let Some(def) = self.items.get(hint) {
            if crate::bytes::short_eq(def.id.as_bytes(), id) {
                return Some(hint);
            }
        }
        self.lookup(id)
    }

    /// The index of a dimension by name (case-insensitive).
    pub fn dimension_index(&self, name: &str) -> Option<usize> {
        self.dimensions
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name.trim()))
    }

    /// Item indices of dimension `d`, in order.
    pub fn items_of(&self, d: usize) -> Vec<usize> {
        (0..self.items.len())
            .filter(|&i| self.items[i].dimension == d)
            .collect()
    }
}
