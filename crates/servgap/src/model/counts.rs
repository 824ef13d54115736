//! The category counts of period × group cells, stored in the narrowest
//! width that holds them. A year of daily counts for 3,000 sites is 13
//! million counts, nearly all below 256: as bytes they take 13 MB instead
//! of 52, and on these machines every 4 KB page of fresh memory costs a
//! page fault of 2–3 µs (7% of an SQI run's time went to the difference).
//! A vector starts with bytes and widens to 16, then 32 bits the first
//! time a count does not fit; each reader's part of the table widens on its
//! own. Readers get a [`CountSlice`] and match its width once per row, so
//! their loops run on plain integers ([`with_counts!`]).

/// A width counts are stored in: `u8`, `u16` or `u32`.
pub(crate) trait Count: Copy + Into<u32> {
    /// The count.
    #[inline(always)]
    fn value(self) -> u32 {
        self.into()
    }
}
impl Count for u8 {}
impl Count for u16 {}
impl Count for u32 {}

/// Counts, `k` per cell, in one of three widths.
#[derive(Debug, Clone)]
pub(crate) enum CountVec {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

/// A view of counts in their stored width.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CountSlice<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
}

/// Evaluates `$body` with `$c` bound to the slice of `$counts` (a
/// [`CountSlice`]) in its own width: the body is compiled once per width,
/// and its loops see `&[u8]`, `&[u16]` or `&[u32]`.
macro_rules! with_counts {
    ($counts:expr, $c:ident => $body:expr) => {
        match $counts {
            $crate::model::counts::CountSlice::U8($c) => $body,
            $crate::model::counts::CountSlice::U16($c) => $body,
            $crate::model::counts::CountSlice::U32($c) => $body,
        }
    };
}
pub(crate) use with_counts;

impl Default for CountVec {
    fn default() -> Self {
        CountVec::U8(Vec::new())
    }
}

impl CountVec {
    /// Appends `n` zero counts (a new cell).
    #[inline]
    pub fn grow(&mut self, n: usize) {
        match self {
            CountVec::U8(v) => v.resize(v.len() + n, 0),
            CountVec::U16(v) => v.resize(v.len() + n, 0),
            CountVec::U32(v) => v.resize(v.len() + n, 0),
        }
    }

    /// Adds `value` to count `i`; `false`, with nothing changed, when the
    /// sum would pass `u32::MAX`. Widens the vector when the sum does not
    /// fit its width.
    #[inline(always)]
    pub fn add(&mut self, i: usize, value: u64) -> bool {
        match self {
            CountVec::U8(v) => {
                if let Some(s) = u8::try_from(value).ok().and_then(|x| v[i].checked_add(x)) {
                    v[i] = s;
                    return true;
                }
            }
            CountVec::U16(v) => {
                if let Some(s) = u16::try_from(value).ok().and_then(|x| v[i].checked_add(x)) {
                    v[i] = s;
                    return true;
                }
            }
            CountVec::U32(v) => {
                return match u32::try_from(value).ok().and_then(|x| v[i].checked_add(x)) {
                    Some(s) => {
                        v[i] = s;
                        true
                    }
                    None => false,
                };
            }
        }
        self.widen_and_add(i, value)
    }

    /// Adds each `(i, value)` of `adds` to the counts from `base` on (one
    /// cell's), the width matched once: the index in `adds` of the first
    /// sum that would pass `u32::MAX` (nothing of it added), else `None`.
    #[inline(always)]
    pub fn add_all(
        &mut self,
        base: usize,
        adds: impl Iterator<Item = (usize, u64)> + Clone,
    ) -> Option<usize> {
        /// Adds while the sums fit the width; where the first did not.
        #[inline(always)]
        fn fitting<T: Copy + TryFrom<u64>>(
            v: &mut [T],
            base: usize,
            adds: impl Iterator<Item = (usize, u64)>,
            add: impl Fn(T, T) -> Option<T>,
        ) -> Option<(usize, usize, u64)> {
            for (j, (i, value)) in adds.enumerate() {
                let slot = v.get_mut(base + i)?;
                match T::try_from(value).ok().and_then(|x| add(*slot, x)) {
                    Some(sum) => *slot = sum,
                    None => return Some((j, i, value)),
                }
            }
            None
        }
        let stopped = match self {
            CountVec::U8(v) => fitting(v, base, adds.clone(), u8::checked_add),
            CountVec::U16(v) => fitting(v, base, adds.clone(), u16::checked_add),
            CountVec::U32(v) => fitting(v, base, adds.clone(), u32::checked_add),
        };
        let (j, i, value) = stopped?;
        // the rest one by one, widening as they need
        if !self.add(base + i, value) {
            return Some(j);
        }
        for (k, (i, value)) in adds.enumerate().skip(j + 1) {
            if !self.add(base + i, value) {
                return Some(k);
            }
        }
        None
    }

    /// The slow path of [`CountVec::add`]: widens until the sum fits.
    #[cold]
    #[inline(never)]
    fn widen_and_add(&mut self, i: usize, value: u64) -> bool {
        let sum = u64::from(self.get(i)) + value;
        if sum > u64::from(u32::MAX) {
            return false;
        }
        if sum > u64::from(u16::MAX) {
            self.widen_to_u32();
        } else {
            self.widen_to_u16();
        }
        self.add(i, value)
    }

    fn widen_to_u16(&mut self) {
        if let CountVec::U8(v) = self {
            *self = CountVec::U16(v.iter().map(|&x| u16::from(x)).collect());
        }
    }

    fn widen_to_u32(&mut self) {
        let wide = match self {
            CountVec::U8(v) => v.iter().map(|&x| u32::from(x)).collect(),
            CountVec::U16(v) => v.iter().map(|&x| u32::from(x)).collect(),
            CountVec::U32(_) => return,
        };
        *self = CountVec::U32(wide);
    }

    /// Count `i`.
    pub fn get(&self, i: usize) -> u32 {
        self.slice().get(i)
    }

    /// All the counts.
    #[inline]
    pub fn slice(&self) -> CountSlice<'_> {
        match self {
            CountVec::U8(v) => CountSlice::U8(v),
            CountVec::U16(v) => CountSlice::U16(v),
            CountVec::U32(v) => CountSlice::U32(v),
        }
    }
}

impl<'a> CountSlice<'a> {
    /// How many counts there are.
    #[inline]
    pub fn len(&self) -> usize {
        with_counts!(self, c => c.len())
    }

    /// Count `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        with_counts!(self, c => c[i].value())
    }

    /// Counts `from..to`.
    #[inline]
    pub fn range(self, from: usize, to: usize) -> CountSlice<'a> {
        match self {
            CountSlice::U8(c) => CountSlice::U8(&c[from..to]),
            CountSlice::U16(c) => CountSlice::U16(&c[from..to]),
            CountSlice::U32(c) => CountSlice::U32(&c[from..to]),
        }
    }

    /// The counts of cell `i` (`k` per cell).
    #[inline]
    pub fn cell(self, i: usize, k: usize) -> CountSlice<'a> {
        self.range(i * k, (i + 1) * k)
    }

    /// The counts after the first `from`.
    #[inline]
    pub fn skip(self, from: usize) -> CountSlice<'a> {
        self.range(from, self.len())
    }

    /// The counts, widened to `u32`.
    pub fn iter(self) -> impl Iterator<Item = u32> + 'a {
        (0..self.len()).map(move |i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width(v: &CountVec) -> u32 {
        match v {
            CountVec::U8(_) => 8,
            CountVec::U16(_) => 16,
            CountVec::U32(_) => 32,
        }
    }

    #[test]
    fn counts_widen_only_when_a_sum_does_not_fit_and_keep_every_count() {
        let mut v = CountVec::default();
        v.grow(3);
        assert!(v.add(0, 200) && v.add(0, 55));
        assert_eq!((width(&v), v.get(0)), (8, 255));
        // 255 + 1 needs 16 bits; the other counts come along unchanged
        assert!(v.add(1, 7) && v.add(0, 1));
        assert_eq!((width(&v), v.get(0), v.get(1), v.get(2)), (16, 256, 7, 0));
        assert!(v.add(2, 65_535));
        assert_eq!(width(&v), 16);
        assert!(v.add(2, 1));
        assert_eq!((width(&v), v.get(2), v.get(0)), (32, 65_536, 256));
        v.grow(3);
        assert_eq!((v.slice().len(), v.get(5)), (6, 0));
    }

    #[test]
    fn a_byte_count_goes_straight_to_32_bits_for_a_large_value() {
        let mut v = CountVec::default();
        v.grow(2);
        assert!(v.add(1, 9));
        assert!(v.add(0, 70_000));
        assert_eq!((width(&v), v.get(0), v.get(1)), (32, 70_000, 9));
    }

    #[test]
    fn a_sum_past_u32_max_is_refused_and_changes_nothing() {
        let mut v = CountVec::default();
        v.grow(1);
        assert!(v.add(0, 5));
        assert!(!v.add(0, u64::from(u32::MAX) - 4));
        assert_eq!(v.get(0), 5);
        assert!(v.add(0, u64::from(u32::MAX) - 5));
        assert_eq!(v.get(0), u32::MAX);
        assert!(!v.add(0, 1));
        assert!(!v.add(0, u64::MAX));
        assert_eq!(v.get(0), u32::MAX);
    }

    #[test]
    fn slices_read_the_same_counts_in_every_width() {
        let values = [0u64, 3, 250, 17, 0, 255];
        for start in [0u64, 300, 70_000] {
            let mut v = CountVec::default();
            v.grow(values.len());
            for (i, x) in values.iter().enumerate() {
                assert!(v.add(i, x + start));
            }
            let cell = v.slice().cell(1, 3);
            assert_eq!(cell.len(), 3);
            let got: Vec<u32> = cell.iter().collect();
            let want: Vec<u32> = values[3..].iter().map(|x| (x + start) as u32).collect();
            assert_eq!(got, want);
            let sum: u64 =
                with_counts!(v.slice().skip(4), c => c.iter().map(|&x| u64::from(x)).sum());
            assert_eq!(sum, 255 + 2 * start);
        }
    }
}
