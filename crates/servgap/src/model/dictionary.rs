//! Dictionaries that turn a column's repeated text into small codes: the
//! distinct score values of a survey ([`ValueDict`], 16-bit codes, so that a
//! million respondents × 22 items × E and P take 88 MB whatever the scale)
//! and the values of a grouping column ([`GroupDict`]). Codes are given in
//! order of first appearance; a reader of each range of a file has its own
//! dictionaries, and merging maps one range's codes to another's by value.

use std::collections::HashMap;

use foldhash::fast::FixedState;

use crate::bytes::short_eq;

pub(crate) type FastMap<K, V> = HashMap<K, V, FixedState>;

/// An empty map with a fixed hasher (the same codes on every run).
pub(crate) fn fast_map<K, V>() -> FastMap<K, V> {
    HashMap::with_hasher(FixedState::with_seed(0x5e_4a_9a_11))
}

/// Distinct score values and their 16-bit codes (0 = missing).
#[derive(Debug, Clone, Default)]
pub struct ValueDict {
    /// Values by code − 1.
    pub values: Vec<f64>,
    lookup: FastMap<u64, u16>,
    /// The code of each one-digit cell already seen (0: not yet): a digit
    /// once checked by the score rule costs one table look-up after that.
    pub(crate) digits: [u16; 10],
}

impl ValueDict {
    /// An empty dictionary.
    pub fn new() -> Self {
        ValueDict {
            values: Vec::new(),
            lookup: fast_map(),
            digits: [0; 10],
        }
    }

    /// The code of a valid value, adding it when new. `None` when full
    /// (65,534 distinct values).
    #[inline]
    pub fn code(&mut self, v: f64) -> Option<u16> {
        let key = (v + 0.0).to_bits();
        if let Some(&c) = self.lookup.get(&key) {
            return Some(c);
        }
        if self.values.len() >= u16::MAX as usize - 1 {
            return None;
        }
        self.values.push(v);
        let c = self.values.len() as u16;
        self.lookup.insert(key, c);
        Some(c)
    }

    /// The value of a code (`None` for 0, missing).
    #[inline]
    pub fn value(&self, code: u16) -> Option<f64> {
        self.values.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// Interned values of one grouping column.
#[derive(Debug, Clone)]
pub struct GroupDict {
    /// Values by code.
    pub values: Vec<String>,
    lookup: FastMap<Box<[u8]>, u32>,
    last: Option<(Vec<u8>, u32)>,
}

impl Default for GroupDict {
    fn default() -> Self {
        GroupDict::new()
    }
}

impl GroupDict {
    /// An empty dictionary.
    pub fn new() -> Self {
        GroupDict {
            values: Vec::new(),
            lookup: fast_map(),
            last: None,
        }
    }

    /// The code of a value already seen, by the last value or a scan of a
    /// small dictionary (no hashing, no insertion); `None` otherwise.
    #[inline]
    pub fn known(&self, v: &[u8]) -> Option<u32> {
        if let Some((b, c)) = &self.last {
            if short_eq(b, v) {
                return Some(*c);
            }
        }
        if self.values.len() <= 16 {
            return self
                .values
                .iter()
                .position(|x| short_eq(x.as_bytes(), v))
                .map(|i| i as u32);
        }
        None
    }

    /// The code of a value already seen, by a hash look-up of its exact
    /// bytes (no insertion); `None` otherwise.
    #[inline]
    pub fn exact(&self, v: &[u8]) -> Option<u32> {
        self.lookup.get(v).copied()
    }

    /// The code of a cell's value (trimmed), added when new.
    #[inline]
    pub fn code(&mut self, raw: &[u8]) -> u32 {
        let v = raw.trim_ascii();
        if let Some((b, c)) = &self.last {
            if short_eq(b, v) {
                return *c;
            }
        }
        let c = match self.lookup.get(v) {
            Some(&c) => c,
            None => {
                let c = self.values.len() as u32;
                self.values.push(String::from_utf8_lossy(v).into_owned());
                self.lookup.insert(v.into(), c);
                c
            }
        };
        match &mut self.last {
            Some((b, lc)) => {
                b.clear();
                b.extend_from_slice(v);
                *lc = c;
            }
            None => self.last = Some((v.to_vec(), c)),
        }
        c
    }
}
