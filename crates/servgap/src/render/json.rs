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
