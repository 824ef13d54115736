//! Accumulators that count values instead of summing them, for data with
//! few distinct values (survey scores on a 1–7 scale): counting is one
//! increment per observation, merging is exact, and the moments come out
//! the same whichever order the observations came in.
//!
//! - [`IntCounts`]: counts of integers (a respondent's sum of whole scores
//!   over a dimension), turned into moments by
//!   [`Moments::from_integer_counts`](super::Moments::from_integer_counts).
//! - [`SparseCounts`]: the same, sparse, for rare and widely spread
//!   values.
//! - [`pair_moments`]: moments of E, P and P − E from counts of (E, P)
//!   code pairs, a histogram over a value dictionary.

use super::SumMoments;

/// Counts of integer values from `low` on: `counts[j]` observations of
/// `low + j`. Grows either way as values arrive.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IntCounts {
    low: i64,
    counts: Vec<u64>,
}

impl IntCounts {
    /// Adds `counts[j]` observations of `first + j`.
    pub fn add(&mut self, first: i64, counts: impl ExactSizeIterator<Item = u64>) {
        let len = counts.len();
        if len == 0 {
            return;
        }
        if self.counts.is_empty() {
            self.low = first;
        }
        let low = self.low.min(first);
        let high = (self.low + self.counts.len() as i64).max(first + len as i64);
        if low < self.low {
            let mut grown = vec![0u64; (self.low - low) as usize];
            grown.append(&mut self.counts);
            self.counts = grown;
            self.low = low;
        }
        self.counts.resize((high - low) as usize, 0);
        let at = (first - low) as usize;
        for (slot, n) in self.counts[at..at + len].iter_mut().zip(counts) {
            *slot += n;
        }
    }

    /// Adds one observation of `x`.
    #[inline]
    pub fn add_one(&mut self, x: i64) {
        match x.checked_sub(self.low) {
            Some(j) if !self.counts.is_empty() && (j as u64) < self.counts.len() as u64 => {
                self.counts[j as usize] += 1
            }
            _ => self.add(x, std::iter::once(1)),
        }
    }

    /// Adds every observation of `other`.
    pub fn merge(&mut self, other: &IntCounts) {
        self.add(other.low, other.counts.iter().copied());
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// (value, count) of each value counted, in increasing order.
    pub fn entries(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(j, &n)| (self.low + j as i64, n))
    }
}

/// Counts of integer values kept sparse, for values that arrive rarely and
/// spread widely (the sums of respondents who skipped an item): merging
/// is exact, whichever order the observations came in.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseCounts(std::collections::BTreeMap<i64, u64>);

impl SparseCounts {
    /// Adds one observation of `x`.
    pub fn add_one(&mut self, x: i64) {
        *self.0.entry(x).or_insert(0) += 1;
    }

    /// Adds every observation of `other`.
    pub fn merge(&mut self, other: &SparseCounts) {
        for (&x, &n) in &other.0 {
            *self.0.entry(x).or_insert(0) += n;
        }
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// (value, count) of each value counted, in increasing order.
    pub fn entries(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.0.iter().map(|(&x, &n)| (x, n))
    }
}

/// E, P and P − E moments from counts of (E code, P code) pairs:
/// `hist[ce * v + cp]` pairs of codes `ce`, `cp`, where `values[c]` is the
/// value of code `c` (`v` codes; code 0, missing, is never counted).
pub fn pair_moments(hist: &[u32], values: &[f64]) -> [SumMoments; 3] {
    let v = values.len();
    let mut out = [SumMoments::default(); 3];
    for ce in 1..v {
        for cp in 1..v {
            let n = hist[ce * v + cp];
            if n == 0 {
                continue;
            }
            let (e, p) = (values[ce], values[cp]);
            for (m, x) in out.iter_mut().zip([e, p, p - e]) {
                m.n += n as u64;
                m.s1 += n as f64 * x;
                m.s2 += n as f64 * x * x;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_counts_grow_both_ways_and_merge() {
        let mut c = IntCounts::default();
        assert!(c.is_empty());
        c.add(5, [1, 0, 2].into_iter()); // one 5, two 7s
        c.add(3, [4].into_iter()); // four 3s, below the first range
        c.add(9, [1].into_iter()); // one 9, above it
        assert_eq!(
            c.entries().collect::<Vec<_>>(),
            [(3, 4), (5, 1), (7, 2), (9, 1)]
        );
        let mut d = IntCounts::default();
        d.add(-2, [3].into_iter());
        d.merge(&c);
        assert_eq!(
            d.entries().collect::<Vec<_>>(),
            [(-2, 3), (3, 4), (5, 1), (7, 2), (9, 1)]
        );
    }

    #[test]
    fn pair_moments_are_the_moments_of_the_pairs_pushed_one_by_one() {
        // codes 1..=3 are the values 2, 4.5 and 7; pairs (E, P):
        // (2, 4.5) ×3, (7, 2) ×1, (4.5, 4.5) ×2
        let values = [f64::NAN, 2.0, 4.5, 7.0];
        let v = values.len();
        let mut hist = vec![0u32; v * v];
        hist[v + 2] = 3;
        hist[3 * v + 1] = 1;
        hist[2 * v + 2] = 2;
        let got = pair_moments(&hist, &values);
        let mut want = [SumMoments::default(); 3];
        for (e, p, n) in [(2.0, 4.5, 3), (7.0, 2.0, 1), (4.5, 4.5, 2)] {
            for _ in 0..n {
                want[0].push(e);
                want[1].push(p);
                want[2].push(p - e);
            }
        }
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.n, w.n);
            approx::assert_relative_eq!(g.s1, w.s1);
            approx::assert_relative_eq!(g.s2, w.s2);
        }
        // by hand: Σ(P − E) = 3·2.5 − 5 + 0 = 2.5 over 6 pairs
        approx::assert_relative_eq!(got[2].s1, 2.5);
        assert_eq!(got[2].n, 6);
    }
}
