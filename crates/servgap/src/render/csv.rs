//! CSV output: one block per table (a `# title` line, the header, the rows),
//! blocks separated by a blank line. Cells a spreadsheet would run as a
//! formula (leading `=`, `+`, `-`, `@`) are neutralised with a leading `'`,
//! except plain numbers such as `-0.75`.

use super::TextTable;
use crate::error::{Error, Result};

/// Makes a cell safe to open in a spreadsheet.
pub fn neutralise(cell: &str) -> String {
    let starts = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Renders the tables as CSV blocks.
pub fn render(tables: &[TextTable]) -> Result<String> {
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(format!("# {}\n", t.title).as_bytes());
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let werr = |e: csv::Error| Error::inconsistent(format!("writing CSV: {e}"));
        w.write_record(t.header.iter().map(|h| neutralise(h)))
            .map_err(werr)?;
        for r in &t.rows {
            w.write_record(r.iter().map(|c| neutralise(c)))
                .map_err(werr)?;
        }
        out.extend(
            w.into_inner()
                .map_err(|e| Error::inconsistent(format!("writing CSV: {e}")))?,
        );
    }
    String::from_utf8(out).map_err(|e| Error::inconsistent(format!("writing CSV: {e}")))
}

/// Appends the shortest text that reads back as `v`, exactly as `v.to_string()`
/// writes it (no exponent), but several times faster: whole numbers through
/// itoa, others through zmij.
#[inline]
pub fn push_f64(buf: &mut Vec<u8>, v: f64) {
    // `as` saturates, and every float of magnitude 2^53 or more is whole,
    // so this is `v.fract() == 0.0` for the range without a libm call.
    if v.abs() < 9_007_199_254_740_992.0 && (v as i64) as f64 == v {
        if v == 0.0 && v.is_sign_negative() {
            buf.extend_from_slice(b"-0");
        } else if v >= 0.0 {
            push_u64(buf, v as u64);
        } else {
            buf.push(b'-');
            push_u64(buf, (-v) as u64);
        }
        return;
    }
    push_fraction(buf, v);
}

/// [`push_f64`] for a value that is not a whole number below 2^53.
fn push_fraction(buf: &mut Vec<u8>, v: f64) {
    // zmij and Rust may break a tie between two shortest texts differently;
    // a tie needs an exact decimal expansion of at most 18 digits, so only
    // values with 24 or more fractional bits (never a tie) take zmij.
    if v.is_finite() && fractional_bits(v) >= 24 {
        let mut b = zmij::Buffer::new();
        let s = b.format_finite(v);
        // zmij writes decimal exponents -5 to 15 without an `e`
        if (1e-5..1e15).contains(&v.abs()) || !s.contains('e') {
            buf.extend_from_slice(s.as_bytes());
            return;
        }
    }
    buf.extend_from_slice(v.to_string().as_bytes());
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
    // Counts are mostly one or two digits: pushed without a copy call.
    if v < 10 {
        buf.push(b'0' + v as u8);
    } else if v < 100 {
        buf.push(b'0' + (v / 10) as u8);
        buf.push(b'0' + (v % 10) as u8);
    } else {
        buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }
}

/// Appends a text cell: neutralised (see [`neutralise`]) and quoted when it
/// holds a comma, a quote or a line break.
pub fn push_text(buf: &mut Vec<u8>, cell: &str) {
    let cell = neutralise(cell);
    if cell.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        for b in cell.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(cell.as_bytes());
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
            assert_eq!(String::from_utf8_lossy(&buf), v.to_string(), "{v:e}");
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

    #[test]
    fn text_cells_are_quoted_and_neutralised() {
        let mut buf = Vec::new();
        push_text(&mut buf, "a,b");
        buf.push(b' ');
        push_text(&mut buf, "say \"hi\"");
        buf.push(b' ');
        push_text(&mut buf, "=1+1");
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "\"a,b\" \"say \"\"hi\"\"\" '=1+1"
        );
    }

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("+1+1"), "'+1+1");
        assert_eq!(neutralise("-0.75"), "-0.75");
        assert_eq!(neutralise("服务"), "服务");
    }
}
