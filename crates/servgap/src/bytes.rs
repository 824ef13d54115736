//! Byte-level helpers that the readers and the records they fill share:
//! comparing short byte strings and packing short ids into words. They
//! live apart from both so that the records (`model/`) need nothing of the
//! readers (`input/`).

/// Equality of two short byte strings without a call into libc's memcmp,
/// which costs more than the comparison itself for ids of a few bytes.
#[inline]
pub fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |c: Option<&[u8; 8]>| c.map(|w| u64::from_ne_bytes(*w));
    if n >= 8 {
        let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
        for (x, y) in (&mut ca).zip(&mut cb) {
            if word(x.first_chunk()) != word(y.first_chunk()) {
                return false;
            }
        }
        // the remainder, as the last eight bytes (overlapping the words
        // already compared) rather than byte by byte
        return word(a.last_chunk()) == word(b.last_chunk());
    }
    let half = |c: Option<&[u8; 4]>| c.map(|w| u32::from_ne_bytes(*w));
    if n >= 4 {
        return half(a.first_chunk()) == half(b.first_chunk())
            && half(a.last_chunk()) == half(b.last_chunk());
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Ids up to this long are handled as three words: bytes 0..23
/// little-endian, zero-padded, the length in the top byte (as the survey
/// reader's inline ids).
pub const SHORT_ID: usize = 23;

/// The three words of a short id; `None` when it is longer than [`SHORT_ID`].
#[inline(always)]
pub fn id_words(id: &[u8]) -> Option<[u64; 3]> {
    let n = id.len();
    if n > SHORT_ID {
        return None;
    }
    // Fixed-size loads only: whole words as such, the rest as the id's last
    // eight (or four) bytes shifted down, overlapping bytes already taken
    // (a loop of word copies became a `memcpy` call of variable length).
    let word = |at: usize| {
        id.get(at..)
            .and_then(|t| t.first_chunk::<8>())
            .map_or(0, |c| u64::from_le_bytes(*c))
    };
    let half = |at: usize| {
        id.get(at..)
            .and_then(|t| t.first_chunk::<4>())
            .map_or(0, |c| u64::from(u32::from_le_bytes(*c)))
    };
    let mut w = [0u64; 3];
    let (whole, rem) = (n / 8, n % 8);
    for (i, slot) in w.iter_mut().enumerate().take(whole) {
        *slot = word(8 * i);
    }
    if rem > 0 {
        w[whole] = if n >= 8 {
            word(n - 8) >> (8 * (8 - rem))
        } else if n >= 4 {
            half(0) | half(n - 4) << (8 * (n - 4))
        } else {
            let b = |i: usize| u64::from(id[i]) << (8 * i);
            b(0) | b(n / 2) | b(n - 1)
        };
    }
    w[2] |= (n as u64) << 56;
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::short_eq;

    #[test]
    fn short_eq_is_equality() {
        // Every length to 40, equal and with one byte changed at every
        // position, and strings of different lengths with a common prefix.
        let base: Vec<u8> = (0..41u8).map(|i| b'a' + i % 26).collect();
        for n in 0..=40 {
            let a = &base[..n];
            let copy = a.to_vec();
            assert!(short_eq(a, &copy), "len {n}");
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert!(!short_eq(a, &b), "len {n}, byte {i}");
            }
            assert!(!short_eq(a, &base[..n + 1]), "len {n} vs {}", n + 1);
        }
    }
}
