//! Field matching for readers that take whole lines themselves
//! ([`RecordSink::quote_free_lines`](super::records::RecordSink::quote_free_lines)).
//! Sorted operations logs repeat most cells of the line before (the date,
//! the site, the next category), so the cheapest way to split a line is to
//! check that the expected text is there, 32 bytes at a time, instead of
//! looking for the commas; readers that need the first few cells of every
//! line (the shuffled survey reader) find all of their separators in one go
//! ([`Separators`]). Both compare 16 bytes at once with SSE2 on x86-64
//! (through `safe_arch`, so the crate stays free of `unsafe`) and fall back
//! to zero-byte tests on 64-bit words elsewhere.

use super::lines::{zero_bytes, COMMAS, NEWLINES};

/// Longest expected field (with its separator) a [`Pattern`] holds.
const MAX: usize = 32;

/// An expected field followed by its separator (`,` or `\n`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pattern {
    /// The field and its separator; bytes from `len` on are not compared
    /// (and need not be zero).
    bytes: [u8; MAX],
    /// Bits `0..len`: the bytes that must be equal.
    hits: u32,
    /// Bytes including the separator; 0 for no pattern.
    len: usize,
}

impl Pattern {
    /// The pattern of `field` then `sep`; `None` if longer than 32 bytes.
    pub fn new(field: &[u8], sep: u8) -> Option<Self> {
        let len = field.len() + 1;
        if len > MAX {
            return None;
        }
        let mut bytes = [0u8; MAX];
        bytes[..field.len()].copy_from_slice(field);
        bytes[field.len()] = sep;
        Some(Pattern {
            bytes,
            hits: hits(len),
            len,
        })
    }

    /// The pattern of the `len` bytes at `region[start..]` (a field and
    /// its separator), copied from the region as 32 bytes at once where
    /// they are there.
    #[inline]
    pub fn at(region: &[u8], start: usize, len: usize) -> Option<Self> {
        if len == 0 || len > MAX {
            return None;
        }
        let Some(window) = region.get(start..).and_then(|t| t.first_chunk::<MAX>()) else {
            return Pattern::new(
                region.get(start..start + len - 1)?,
                *region.get(start + len - 1)?,
            );
        };
        Some(Pattern {
            bytes: *window,
            hits: hits(len),
            len,
        })
    }

    /// Bytes including the separator (0: no pattern).
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether `region[p..]` starts with the field and its separator.
    #[inline(always)]
    pub fn matches(&self, region: &[u8], p: usize) -> bool {
        // Away from the region's end: all 32 bytes compared at once.
        if let Some(t) = region.get(p..).and_then(|t| t.first_chunk::<MAX>()) {
            return equal_bytes(t, &self.bytes) & self.hits == self.hits && self.len != 0;
        }
        self.len != 0
            && region
                .get(p..p + self.len)
                .is_some_and(|t| crate::bytes::short_eq(t, &self.bytes[..self.len]))
    }
}

/// Bits `0..len` set.
fn hits(len: usize) -> u32 {
    if len >= 32 {
        u32::MAX
    } else {
        (1u32 << len) - 1
    }
}

/// Bit i set where `a[i] == b[i]`: two SSE2 compares (through `safe_arch`).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn equal_bytes(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    use safe_arch::{cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i};
    let half = |x: Option<&[u8; 16]>, y: Option<&[u8; 16]>| match (x, y) {
        (Some(x), Some(y)) => {
            let eq = cmp_eq_mask_i8_m128i(load_unaligned_m128i(x), load_unaligned_m128i(y));
            move_mask_i8_m128i(eq) as u32 & 0xffff
        }
        _ => 0,
    };
    half(a.first_chunk(), b.first_chunk()) | half(a.last_chunk(), b.last_chunk()) << 16
}

/// [`equal_bytes`] without SIMD.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn equal_bytes(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    word_equal_bytes(a, b)
}

/// [`equal_bytes`] from zero-byte tests on words (for targets without
/// SSE2, and as the check of the SSE2 version).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline(always)]
fn word_equal_bytes(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    let mut m = 0u32;
    for i in 0..4 {
        m |= gather(zero_bytes(load(a, 8 * i) ^ load(b, 8 * i))) << (8 * i);
    }
    m
}

#[inline(always)]
fn load(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// The position of the first `,` or `\n` at or after `p`, if it is `sep`
/// (and, for `\n`, not preceded by a CR, which the tokenizer handles).
#[inline(always)]
pub(crate) fn field_end(region: &[u8], p: usize, sep: u8) -> Option<usize> {
    let mut at = p;
    loop {
        let q = match region.get(at..at + 8) {
            Some(w) => {
                let w = load(w, 0);
                let m = zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES);
                if m == 0 {
                    at += 8;
                    continue;
                }
                at + (m.trailing_zeros() / 8) as usize
            }
            None => {
                at + region
                    .get(at..)?
                    .iter()
                    .position(|&b| b == b',' || b == b'\n')?
            }
        };
        let ok = region[q] == sep && !(sep == b'\n' && q > p && region[q - 1] == b'\r');
        return ok.then_some(q);
    }
}

/// The field separators in the 32 bytes at a line's start, found in one go
/// for a reader that needs the first few fields of every line (the
/// shuffled survey reader): one mask for the window instead of a scan per
/// field. [`Separators::next_comma`] gives what [`field_end`] with `,`
/// would, while the window lasts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Separators {
    /// Bit i: byte `base + i` is `,` or `\n` (not yet taken).
    seps: u32,
    /// Bit i: byte `base + i` is `\n`.
    newlines: u32,
    base: usize,
}

impl Separators {
    /// The separators in `region[p..p + 32]`; none when fewer than 32
    /// bytes remain (every call then falls back to [`field_end`]).
    #[inline(always)]
    pub fn at(region: &[u8], p: usize) -> Self {
        let (seps, newlines) = match region.get(p..).and_then(|t| t.first_chunk::<32>()) {
            Some(w) => separator_masks(w),
            None => (0, 0),
        };
        Separators {
            seps,
            newlines,
            base: p,
        }
    }

    /// No separators yet: every call falls back to [`field_end`] until a
    /// mask is made with [`Separators::at`].
    #[inline(always)]
    pub fn none() -> Self {
        Separators {
            seps: 0,
            newlines: 0,
            base: 0,
        }
    }

    /// The end of the field at `p` (the previous field's end + 1, or the
    /// line's start) if a comma ends it: `field_end(region, p, b',')`.
    #[inline(always)]
    pub fn next_comma(&mut self, region: &[u8], p: usize) -> Option<usize> {
        if self.seps == 0 {
            return field_end(region, p, b',');
        }
        let b = self.seps.trailing_zeros();
        if self.newlines >> b & 1 != 0 {
            return None;
        }
        self.seps &= self.seps - 1;
        Some(self.base + b as usize)
    }
}

/// The `,`-or-`\n` and the `\n` bytes of a 32-byte window as bit masks
/// (bit i: byte i): two SSE2 compares per 16 bytes, through `safe_arch`
/// (SSE2 is part of every x86-64 target).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn separator_masks(w: &[u8; 32]) -> (u32, u32) {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let (commas, newlines) = (
        set_splat_i8_m128i(b',' as i8),
        set_splat_i8_m128i(b'\n' as i8),
    );
    let half = |h: &[u8; 16]| {
        let v = load_unaligned_m128i(h);
        let n = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, newlines)) as u32 & 0xffff;
        let c = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, commas)) as u32 & 0xffff;
        (c | n, n)
    };
    let (Some(lo), Some(hi)) = (w.first_chunk::<16>(), w.last_chunk::<16>()) else {
        return word_separator_masks(w);
    };
    let ((s0, n0), (s1, n1)) = (half(lo), half(hi));
    (s0 | s1 << 16, n0 | n1 << 16)
}

/// [`separator_masks`] without SIMD, eight bytes at a time.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn separator_masks(w: &[u8; 32]) -> (u32, u32) {
    word_separator_masks(w)
}

/// [`separator_masks`] from zero-byte tests on words (for targets without
/// SSE2, and as the check of the SSE2 version).
#[inline(always)]
fn word_separator_masks(w: &[u8; 32]) -> (u32, u32) {
    let (mut seps, mut newlines) = (0u32, 0u32);
    for i in 0..4 {
        let x = load(w, 8 * i);
        let n = zero_bytes(x ^ NEWLINES);
        let c = zero_bytes(x ^ COMMAS);
        seps |= gather(c | n) << (8 * i);
        newlines |= gather(n) << (8 * i);
    }
    (seps, newlines)
}

/// The high bits of each byte of `hi` (as [`zero_bytes`] gives them) as
/// the low eight bits of the result, byte i to bit i.
#[inline(always)]
fn gather(hi: u64) -> u32 {
    // bit 8i moves to bit 56 + i; no two partial products share a bit
    (((hi >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exactly_their_field_and_separator() {
        let region = b"2025-01-01,S0001,lost,3\n2025-01-01,S00012,lost,3\n................";
        let d = Pattern::new(b"2025-01-01", b',').expect("short");
        assert!(d.matches(region, 0));
        assert!(!d.matches(region, 1));
        let s = Pattern::new(b"S0001", b',').expect("short");
        assert!(s.matches(region, 11));
        assert!(!s.matches(region, 35), "S00012 is not S0001");
        let long = Pattern::new(b"aircraft_delay_minutes", b',').expect("short");
        assert_eq!(long.len(), 23);
        assert!(Pattern::new(&[b'x'; 40], b',').is_none());
        // A pattern read from the region is the pattern of its bytes, also
        // where fewer than eight bytes follow.
        for (start, len) in [(0, 11), (11, 6), (0, 17), (17, 5), (35, 8), (44, 6)] {
            let a = Pattern::at(region, start, len).expect("short");
            let b = Pattern::new(&region[start..start + len - 1], region[start + len - 1])
                .expect("short");
            assert_eq!((a.len, a.hits), (b.len, b.hits));
            assert_eq!(a.bytes[..len], b.bytes[..len]);
            assert!(a.matches(region, start) && b.matches(region, start));
        }
        let short = b"2025-01-01,S1,";
        let a = Pattern::at(short, 11, 3).expect("short");
        assert_eq!(a.len(), 3);
        assert!(a.matches(b"S1,.......", 0));
        assert!(Pattern::at(short, 12, 5).is_none(), "past the end");
        assert!(!Pattern::default().matches(region, 0));
        assert_eq!(field_end(region, 11, b','), Some(16));
        assert_eq!(field_end(region, 22, b'\n'), Some(23));
        assert_eq!(
            field_end(region, 22, b','),
            None,
            "a newline where a comma belongs"
        );
        assert_eq!(
            field_end(b"a,b\r\n", 2, b'\n'),
            None,
            "CRLF goes to the tokenizer"
        );
        assert_eq!(field_end(b"abc", 0, b','), None);
    }

    #[test]
    fn patterns_match_where_the_bytes_are_equal() {
        // Random text over a small alphabet (so that matches happen), the
        // pattern of every (start, length) from it, tried at every position
        // (near the end too, where fewer than 32 bytes follow).
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let text: Vec<u8> = (0..300)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b"ab,\n"[(x % 4) as usize]
            })
            .collect();
        for start in (0..text.len()).step_by(7) {
            for len in [1, 2, 3, 5, 8, 9, 16, 17, 31, 32] {
                let Some(pat) = Pattern::at(&text, start, len) else {
                    assert!(start + len > text.len());
                    continue;
                };
                for q in 0..text.len() {
                    let want = text.get(q..q + len) == Some(&text[start..start + len]);
                    assert_eq!(pat.matches(&text, q), want, "start {start} len {len} q {q}");
                }
            }
        }
        for start in 0..text.len() - 64 {
            let a = text[start..].first_chunk::<32>().expect("32");
            let b = text[start + 32..].first_chunk::<32>().expect("32");
            assert_eq!(equal_bytes(a, b), word_equal_bytes(a, b));
            for i in 0..32 {
                assert_eq!(equal_bytes(a, b) >> i & 1 == 1, a[i] == b[i]);
            }
        }
    }

    #[test]
    fn separators_agree_with_field_end() {
        // Every field start of lines of every length around the 32-byte
        // window, with newlines in odd places, ends where field_end says.
        let mut x: u64 = 0x853c_49e6_748f_ea9b;
        let mut text = Vec::new();
        for _ in 0..4000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.push(match x % 10 {
                0..=1 => b',',
                2 => b'\n',
                _ => b'a' + (x >> 8) as u8 % 26,
            });
        }
        for start in 0..text.len() {
            let mut seps = Separators::at(&text, start);
            let mut p = start;
            for _ in 0..6 {
                let want = field_end(&text, p, b',');
                assert_eq!(seps.next_comma(&text, p), want, "start {start}, p {p}");
                match want {
                    Some(e) => p = e + 1,
                    None => break,
                }
            }
        }
        // the SIMD and the word versions agree, byte by byte
        for start in 0..text.len() - 32 {
            let w = text[start..].first_chunk::<32>().expect("32 bytes");
            let (seps, newlines) = separator_masks(w);
            assert_eq!((seps, newlines), word_separator_masks(w), "start {start}");
            for (i, &b) in w.iter().enumerate() {
                assert_eq!(seps >> i & 1 == 1, b == b',' || b == b'\n');
                assert_eq!(newlines >> i & 1 == 1, b == b'\n');
            }
        }
        let all = [b','; 8];
        assert_eq!(gather(zero_bytes(load(&all, 0) ^ COMMAS)), 0xff);
        let one = *b"ab,cdefg";
        assert_eq!(gather(zero_bytes(load(&one, 0) ^ COMMAS)), 0b100);
    }
}
