//! JSON output: the result structs serialised as they are (they are the
//! schema of SPEC §6), pretty-printed, with a final newline.

use serde::Serialize;

use crate::error::{Error, Result};

/// Serialises a result to pretty JSON.
pub fn render<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("writing JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// Writes a result as pretty JSON with a final newline, token by token
/// into a buffer (a million SQI rows are never one string).
pub fn write<T: Serialize>(value: &T, out: &mut dyn std::io::Write) -> Result<()> {
    use std::io::Write as _;
    let ioerr = |e: std::io::Error| Error::io("<output>", e);
    // a concrete buffer makes each token a copy instead of a call through
    // `dyn Write`
    let mut buf = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut buf, value).map_err(|e| match e.io_error_kind() {
        Some(kind) => Error::io("<output>", std::io::Error::new(kind, e)),
        None => Error::internal(format!("writing JSON: {e}")),
    })?;
    buf.write_all(b"\n").map_err(ioerr)?;
    buf.flush().map_err(ioerr)
}
