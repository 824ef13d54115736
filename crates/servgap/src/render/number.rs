//! Number text, in one place: for people (fixed decimals, `—` when a
//! figure is unavailable, p-values below 0.001 in scientific notation) and for
//! machines (the shortest text that reads back as the same `f64`, empty
//! when unavailable). The machine text also has a byte-level writer
//! (`Bytes`, `RowBytes`, `NumberText`): a million-row CSV block is
//! mostly numbers, and this writes exactly what [`data_text`] writes,
//! several times faster (whole numbers through itoa, fractions through
//! zmij).

/// Formats an optional number with `places` decimals; `—` when unavailable.
pub fn fixed(x: Option<f64>, places: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{:.*}", places, if v == 0.0 { 0.0 } else { v }),
        Some(v) => v.to_string(),
        None => "—".to_string(),
    }
}

/// Formats a p-value for people: three decimals, and below 0.001 in
/// scientific notation with two significant digits (`3.2e-12`), so that
/// a very small p-value neither reads as zero nor runs to 100 digits.
pub fn p_value(x: Option<f64>) -> String {
    match x {
        Some(0.0) => "0".into(),
        Some(p) if p.is_finite() && p.abs() < 1e-3 => format!("{p:.1e}"),
        other => fixed(other, 3),
    }
}

/// Full-precision text of a number for data (CSV; empty when
/// unavailable): see [`data_text`].
pub fn full(x: Option<f64>) -> String {
    x.map(data_text).unwrap_or_default()
}

/// The shortest text that reads back as `v`: a whole number below 2^53
/// without a point, a fraction as Rust writes it, and others below 1e-5
/// or from 1e15 with an exponent as the JSON writes it (`1.5e-12`, not
/// 1.5 after eleven zeros).
pub fn data_text(v: f64) -> String {
    let whole = v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0;
    if !v.is_finite() || whole || (1e-5..1e15).contains(&v.abs()) {
        v.to_string()
    } else {
        zmij::Buffer::new().format_finite(v).to_string()
    }
}

/// `n` and the noun for it: `1 respondent`, `2 respondents`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Formats an optional count.
pub fn count(x: Option<u64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

/// Where the number writers put their bytes: a growing `Vec`, or a row
/// written in place into room made for it ([`RowBytes`]).
pub(crate) trait Bytes {
    /// Appends one byte.
    fn byte(&mut self, b: u8);
    /// Appends a slice.
    fn bytes(&mut self, s: &[u8]);

    /// Appends a number's text; `false` (nothing written) for one only
    /// `to_string` writes, when this cannot (see [`Bytes::other_number`]).
    #[inline(always)]
    fn number_text(&mut self, t: &NumberText<'_>) -> bool {
        match *t {
            NumberText::Whole {
                negative,
                magnitude,
            } => {
                if negative {
                    self.byte(b'-');
                }
                put_u64(self, magnitude);
                true
            }
            NumberText::Shortest(s) => {
                self.bytes(s);
                true
            }
            NumberText::Other(v) => self.other_number(v),
        }
    }

    /// Appends [`data_text`] if this can grow for it; `false` otherwise.
    fn other_number(&mut self, _v: f64) -> bool {
        false
    }

    /// Appends an integer of three or more digits.
    #[inline(always)]
    fn digits(&mut self, v: u64) {
        self.bytes(itoa::Buffer::new().format(v).as_bytes());
    }

    /// Appends `counts[c]` for each of `columns`, each after a comma.
    #[inline(always)]
    fn comma_counts<C: Copy + Into<u32>>(&mut self, counts: &[C], columns: &[usize]) {
        for &c in columns {
            self.byte(b',');
            put_u64(self, u64::from(counts[c].into()));
        }
    }
}

/// `,0` to `,99` as the little-endian bytes of a `u32`, padded: a count
/// below 100 is one four-byte store (of which two or three bytes are kept).
const COMMA_COUNTS: [u32; 100] = {
    let mut t = [0u32; 100];
    let mut v = 0;
    while v < 100 {
        t[v] = if v < 10 {
            b',' as u32 | (b'0' as u32 + v as u32) << 8
        } else {
            b',' as u32 | (b'0' as u32 + v as u32 / 10) << 8 | (b'0' as u32 + v as u32 % 10) << 16
        };
        v += 1;
    }
    t
};

/// `00` to `99`.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut v = 0;
    while v < 100 {
        t[v] = [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
        v += 1;
    }
    t
};

impl Bytes for Vec<u8> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.push(b);
    }

    #[inline(always)]
    fn bytes(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }

    fn other_number(&mut self, v: f64) -> bool {
        self.extend_from_slice(data_text(v).as_bytes());
        true
    }
}

/// Bytes written in place into room made beforehand (the caller makes
/// enough; writing past it is a bug, and panics). Against a `Vec`, no
/// capacity check and length store per byte, and short slices are copied
/// without a call to `memcpy`: a million-row CSV block is mostly separators,
/// one- or two-digit counts and numbers of 2 to 24 bytes.
pub(crate) struct RowBytes<'a> {
    room: &'a mut [u8],
    at: usize,
}

impl<'a> RowBytes<'a> {
    /// Writes from the start of `room`.
    pub fn new(room: &'a mut [u8]) -> Self {
        RowBytes { room, at: 0 }
    }

    /// How many bytes have been written.
    pub fn len(&self) -> usize {
        self.at
    }
}

impl Bytes for RowBytes<'_> {
    #[inline(always)]
    fn byte(&mut self, b: u8) {
        self.room[self.at] = b;
        self.at += 1;
    }

    #[inline(always)]
    fn bytes(&mut self, s: &[u8]) {
        copy_short(&mut self.room[self.at..], s);
        self.at += s.len();
    }

    /// Straight into the room, two digits at a time from the end: copying
    /// itoa's text would load it right after itoa stored it, a load that
    /// waits for those narrower stores to reach the cache.
    #[inline(always)]
    fn digits(&mut self, mut v: u64) {
        let n = v.checked_ilog10().unwrap_or(0) as usize + 1;
        let out = &mut self.room[self.at..self.at + n];
        let mut i = n;
        while v >= 100 {
            let pair = DIGIT_PAIRS[(v % 100) as usize];
            v /= 100;
            i -= 2;
            out[i..i + 2].copy_from_slice(&pair);
        }
        if v >= 10 {
            out[..2].copy_from_slice(&DIGIT_PAIRS[v as usize]);
        } else {
            out[0] = b'0' + v as u8;
        }
        self.at += n;
    }

    #[inline(always)]
    fn comma_counts<C: Copy + Into<u32>>(&mut self, counts: &[C], columns: &[usize]) {
        // the position kept in a register, not in `self`, across the loop
        let mut at = self.at;
        for &c in columns {
            let v: u32 = counts[c].into();
            match COMMA_COUNTS.get(v as usize) {
                // four bytes written, two or three kept: within the room of
                // a comma and a count; the length from `v`, not the table,
                // so that the next count's place does not wait for a load
                Some(&text) => {
                    self.room[at..at + 4].copy_from_slice(&text.to_le_bytes());
                    at += 2 + usize::from(v >= 10);
                }
                None => {
                    self.at = at;
                    self.byte(b',');
                    put_u64(self, u64::from(v));
                    at = self.at;
                }
            }
        }
        self.at = at;
    }
}

/// Copies `s` to the start of `to` with at most two overlapping fixed-size
/// moves for up to 32 bytes (what `memcpy` does, without the call).
#[inline(always)]
fn copy_short(to: &mut [u8], s: &[u8]) {
    let n = s.len();
    if (8..=16).contains(&n) {
        to[..8].copy_from_slice(&s[..8]);
        to[n - 8..n].copy_from_slice(&s[n - 8..]);
    } else if (17..=32).contains(&n) {
        to[..16].copy_from_slice(&s[..16]);
        to[n - 16..n].copy_from_slice(&s[n - 16..]);
    } else if (4..8).contains(&n) {
        to[..4].copy_from_slice(&s[..4]);
        to[n - 4..n].copy_from_slice(&s[n - 4..]);
    } else if (1..4).contains(&n) {
        to[0] = s[0];
        to[n / 2] = s[n / 2];
        to[n - 1] = s[n - 1];
    } else {
        to[..n].copy_from_slice(s);
    }
}

/// The most bytes [`put_f64`] writes: a sign and 17 digits for a whole
/// number, a sign, `0.0000` and 17 digits for a fraction.
pub(crate) const F64_ROOM: usize = 24;

/// The most bytes [`put_u64`] writes.
pub(crate) const U64_ROOM: usize = 20;

/// Appends the shortest text that reads back as `v`, exactly as [`data_text`]
/// writes it, but several times faster: whole numbers through
/// itoa, others through zmij.
#[inline]
pub fn push_f64(buf: &mut Vec<u8>, v: f64) {
    put_f64(buf, v);
}

/// [`push_f64`] into any [`Bytes`]: at most [`F64_ROOM`] bytes, or nothing
/// and `false` for a value only [`data_text`] writes (not finite, a tie, or a
/// decimal exponent outside -5 to 15) when `buf` cannot (see
/// [`Bytes::other_number`]).
#[inline(always)]
pub(crate) fn put_f64<B: Bytes + ?Sized>(buf: &mut B, v: f64) -> bool {
    let mut z = zmij::Buffer::new();
    buf.number_text(&NumberText::of(&mut z, v))
}

/// How a number is written, decided before it is: a row's fractions can be
/// made first and copied some time later, once zmij's stores have reached
/// the cache (copying them at once waits for those stores).
#[derive(Debug, Clone, Copy)]
pub(crate) enum NumberText<'a> {
    /// A whole number below 2^53 (`-0` for negative zero).
    Whole { negative: bool, magnitude: u64 },
    /// zmij's shortest text, without an exponent.
    Shortest(&'a [u8]),
    /// One only [`data_text`] writes.
    Other(f64),
}

impl<'a> NumberText<'a> {
    /// How `v` is written; a fraction's text is made in `z`.
    #[inline(always)]
    pub fn of(z: &'a mut zmij::Buffer, v: f64) -> Self {
        // `as` saturates, and every float of magnitude 2^53 or more is
        // whole, so this is `v.fract() == 0.0` for the range without a
        // libm call.
        if v.abs() < 9_007_199_254_740_992.0 && (v as i64) as f64 == v {
            return NumberText::Whole {
                negative: v.is_sign_negative(),
                magnitude: v.abs() as u64,
            };
        }
        match Self::fraction(z, v) {
            Some(s) => NumberText::Shortest(s),
            None => NumberText::Other(v),
        }
    }

    /// zmij's text of a value that is not a whole number below 2^53, when
    /// it is `to_string`'s. (Two words, returned in registers: a returned
    /// `NumberText` would go through memory, and its load wait for the
    /// stores.)
    fn fraction(z: &'a mut zmij::Buffer, v: f64) -> Option<&'a [u8]> {
        // zmij and Rust may break a tie between two shortest texts
        // differently; a tie needs an exact decimal expansion of at most 18
        // digits, so only values with 24 or more fractional bits (never a
        // tie) take zmij.
        if v.is_finite() && fractional_bits(v) >= 24 {
            let s = z.format_finite(v);
            // zmij writes decimal exponents -5 to 15 without an `e`
            if (1e-5..1e15).contains(&v.abs()) || !s.contains('e') {
                return Some(s.as_bytes());
            }
        }
        None
    }
}

/// How many binary digits `v` has after the point.
fn fractional_bits(v: f64) -> i64 {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let mantissa = bits & ((1 << 52) - 1);
    let (m, e) = if biased == 0 {
        (mantissa, -1074)
    } else {
        (mantissa | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return 0;
    }
    -(e + m.trailing_zeros() as i64)
}

/// Appends an unsigned integer.
#[inline]
pub fn push_u64(buf: &mut Vec<u8>, v: u64) {
    put_u64(buf, v);
}

/// [`push_u64`] into any [`Bytes`] (at most [`U64_ROOM`] bytes).
#[inline(always)]
pub(crate) fn put_u64<B: Bytes + ?Sized>(buf: &mut B, v: u64) {
    // Counts are mostly one or two digits: written without a copy.
    if v < 10 {
        buf.byte(b'0' + v as u8);
    } else if v < 100 {
        buf.byte(b'0' + (v / 10) as u8);
        buf.byte(b'0' + (v % 10) as u8);
    } else {
        buf.digits(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_numbers_read_as_rust_writes_them() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            99.0,
            0.5,
            1e-5,
            1.5e-5,
            1e-7,
            123456.789,
            1e15,
            1e16,
            2.5e20,
            -3.25,
            -5.0,
            10.0,
            100.0,
            -100.0,
            9_007_199_254_740_991.0,
            -9_007_199_254_740_991.0,
            9_007_199_254_740_992.0,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
            values.push((x % 1_000_000) as f64 / 7.0);
            values.push((x % 100_000) as f64 / 1000.0 * 1e-3);
            values.push((x % 1000) as f64);
            values.push(-((x % 1000) as f64));
            // around 1e-5, where Rust's text has no exponent and zmij's
            // would switch to one below
            values.push(f64::from_bits(1e-5f64.to_bits() - 1000 + (x % 2000)));
            values.push(-f64::from_bits(1e-5f64.to_bits() - 1000 + (x % 2000)));
        }
        for v in values.into_iter().filter(|v| v.is_finite()) {
            let mut buf = Vec::new();
            push_f64(&mut buf, v);
            assert_eq!(String::from_utf8_lossy(&buf), data_text(v), "{v:e}");
        }
    }

    #[test]
    fn rows_written_in_place_match_a_vec_and_keep_within_their_room() {
        let mut x: u64 = 0x6a09_e667_f3bc_c908;
        let mut floats = vec![0.0, -0.0, 6.5, 1.5e-5, -1.0 / 3.0, 1e-7, 2.5e20, f64::MAX];
        // whole numbers of every length, and next to each power of ten
        for p in 0..16 {
            let t = 10f64.powi(p);
            floats.extend([t, t - 1.0, t + 1.0, -t, 9_007_199_254_740_991.0]);
        }
        let mut counts: Vec<u32> = (0..120).chain([999, 1000, u32::MAX]).collect();
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            floats.push(f64::from_bits(x));
            floats.push(-((x % 1_000_000) as f64) / 7.0);
            floats.push((x % 100_000) as f64);
            counts.push((x % 150) as u32);
            counts.push(x as u32);
        }
        let mut room = vec![0u8; (1 + F64_ROOM).max(1 + U64_ROOM)];
        for v in floats.into_iter().filter(|v| v.is_finite()) {
            let mut row = RowBytes::new(&mut room);
            let fast = put_f64(&mut row, v);
            let n = row.len();
            let mut vec = Vec::new();
            assert!(put_f64(&mut vec, v));
            if fast {
                assert!(n <= F64_ROOM, "{v:e}");
                assert_eq!(room[..n], vec[..], "{v:e}");
            } else {
                assert_eq!(n, 0, "{v:e}");
                assert_eq!(String::from_utf8_lossy(&vec), data_text(v));
            }
        }
        // counts in another order than they are stored, each in its budget
        let columns: Vec<usize> = (0..counts.len()).rev().collect();
        let mut room = vec![0u8; counts.len() * (1 + U64_ROOM)];
        let mut row = RowBytes::new(&mut room);
        row.comma_counts(&counts, &columns);
        let n = row.len();
        let mut vec = Vec::new();
        for &c in &columns {
            vec.push(b',');
            vec.extend_from_slice(counts[c].to_string().as_bytes());
        }
        assert_eq!(
            String::from_utf8_lossy(&room[..n]),
            String::from_utf8_lossy(&vec)
        );
        let mut only = vec![0u8; 1 + U64_ROOM];
        let mut row = RowBytes::new(&mut only);
        row.comma_counts(&[u32::MAX], &[0]);
        assert_eq!(row.len(), 11);
    }

    #[test]
    fn short_copies_copy_every_length() {
        let source: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=source.len() {
            let mut to = vec![b'_'; 48];
            let mut row = RowBytes::new(&mut to);
            row.bytes(&source[..n]);
            assert_eq!(row.len(), n);
            assert_eq!(to[..n], source[..n], "{n}");
            assert!(to[n..].iter().all(|b| *b == b'_'), "{n}");
        }
    }

    #[test]
    fn integers_read_as_rust_writes_them() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut values: Vec<u64> = (0..1000).chain([u64::MAX, 1 << 53]).collect();
        for _ in 0..10000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(x);
            values.push(x % 100_000);
        }
        for v in values {
            let mut buf = Vec::new();
            push_u64(&mut buf, v);
            assert_eq!(String::from_utf8_lossy(&buf), v.to_string());
        }
    }
}
