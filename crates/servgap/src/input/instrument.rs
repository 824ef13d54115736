//! Reads an instrument (SPEC §3.2; the type is [`Instrument`]). The
//! built-in `servqual22` is the 22-item SERVQUAL of Parasuraman, Zeithaml &
//! Berry, shipped as `data/servqual22.csv` and compiled in; any other
//! instrument is a CSV `item,dimension[,text]`.

use std::collections::HashMap;

use super::{builtin_or_file, check_width, read_small, ReadOptions, Source};
use crate::error::{quoted, Error, ErrorKind, Result};
pub use crate::model::instrument::{Instrument, ItemDef};

const SERVQUAL22: &str = include_str!("../../../../data/servqual22.csv");

impl Instrument {
    /// The built-in 22-item SERVQUAL instrument.
    pub fn servqual22() -> Self {
        let rows: Vec<(u64, Vec<String>)> = SERVQUAL22
            .lines()
            .skip(1)
            .enumerate()
            .map(|(i, l)| (i as u64 + 2, l.splitn(3, ',').map(str::to_string).collect()))
            .collect();
        // The compiled-in table is checked by a unit test; it cannot fail here.
        Self::from_rows("servqual22", &rows, 0, 1, Some(2))
            .unwrap_or_else(|_| Self::empty("servqual22"))
    }

    /// `servqual22` or a CSV file `item,dimension[,text]`.
    pub fn load(arg: &str, opts: &ReadOptions) -> Result<Self> {
        if builtin_or_file(arg, "--instrument", &["servqual22"])?.is_some() {
            return Ok(Self::servqual22());
        }
        Self::read(&Source::from_arg_as(arg, opts.input_format), opts)
    }

    /// Reads an instrument `item,dimension[,text]` from `source` (a CSV
    /// or columnar file, or a DataFrame).
    pub fn read(source: &Source, opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let need = |c: &str| {
            header.find(c).ok_or_else(|| {
                Error::file(
                    &name,
                    Some(1),
                    format!("the instrument needs a '{c}' column (item,dimension[,text])"),
                )
            })
        };
        let (ic, dc) = (need("item")?, need("dimension")?);
        for (line, row) in &rows {
            check_width(&name, &header, *line, row)?;
        }
        Self::from_rows(&name, &rows, ic, dc, header.find("text"))
    }

    /// Builds an instrument from `(line, fields)` rows.
    pub(crate) fn from_rows(
        name: &str,
        rows: &[(u64, Vec<String>)],
        ic: usize,
        dc: usize,
        tc: Option<usize>,
    ) -> Result<Self> {
        let mut ins = Self::empty(name);
        let mut lines: HashMap<String, u64> = HashMap::new();
        for (line, row) in rows {
            let id = row.get(ic).map(|s| s.trim()).unwrap_or("");
            let dim = row.get(dc).map(|s| s.trim()).unwrap_or("");
            if id.is_empty() || dim.is_empty() {
                return Err(Error::file(
                    name,
                    Some(*line),
                    "an instrument row needs both an item and a dimension",
                ));
            }
            let key = id.to_lowercase();
            if let Some(first) = lines.get(&key) {
                return Err(ErrorKind::Duplicate {
                    file: name.into(),
                    line: *line,
                    first_line: Some(*first),
                    what: format!("item {}", quoted(id)),
                    key: vec![],
                }
                .into());
            }
            lines.insert(key, *line);
            let text = tc
                .and_then(|t| row.get(t))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            ins.push_item(id, dim, text);
        }
        if ins.items.is_empty() {
            return Err(Error::file(name, None, "the instrument lists no items"));
        }
        Ok(ins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servqual22_has_the_published_structure() {
        let s = Instrument::servqual22();
        assert_eq!(s.items.len(), 22);
        assert_eq!(
            s.dimensions,
            [
                "Tangibles",
                "Reliability",
                "Responsiveness",
                "Assurance",
                "Empathy"
            ]
        );
        let sizes: Vec<usize> = (0..5).map(|d| s.items_of(d).len()).collect();
        assert_eq!(sizes, [4, 5, 4, 4, 5]);
        assert_eq!(s.lookup(b"q10"), Some(9));
        assert_eq!(s.lookup(b"Q10"), Some(9));
        assert_eq!(s.items[9].dimension, 2);
        assert_eq!(s.lookup(b"q23"), None);
    }
}
