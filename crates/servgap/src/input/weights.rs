//! Incident weights for the Service Quality Index (SPEC §3.6): how many
//! points one incident of each category costs. Two tables are built in and
//! compiled from `data/`: `fedex12`, the twelve FedEx SQI components with
//! their published weights, and `evans10`, the ten-category textbook table
//! (Evans & Lindsay's FedEx exercise). Any other table is a CSV
//! `category,weight[,description]`.

use std::collections::HashMap;

use super::{builtin_or_file, check_width, read_small, ReadOptions, SmallRows, Source};
use crate::error::{quoted, Error, ErrorKind, Result};
pub use crate::model::weights::{CategoryWeight, WeightTable};

const FEDEX12: &str = include_str!("../../../../data/weights_fedex12.csv");
const EVANS10: &str = include_str!("../../../../data/weights_evans10.csv");

/// Names of the built-in weight tables.
pub const BUILTIN_WEIGHTS: [&str; 2] = ["fedex12", "evans10"];

impl WeightTable {
    /// The FedEx SQI: 12 categories, weights 1, 5 or 10.
    pub fn fedex12() -> Self {
        Self::builtin("fedex12", FEDEX12)
    }

    /// The textbook exercise's 10 categories.
    pub fn evans10() -> Self {
        Self::builtin("evans10", EVANS10)
    }

    fn builtin(name: &str, text: &str) -> Self {
        let rows: SmallRows = text
            .lines()
            .skip(1)
            .enumerate()
            .map(|(i, l)| (i as u64 + 2, l.splitn(3, ',').map(str::to_string).collect()))
            .collect();
        // The compiled-in tables are checked by a unit test; they cannot fail here.
        Self::from_rows(name, &rows, 0, 1, Some(2)).unwrap_or_else(|_| WeightTable::empty(name))
    }

    /// `fedex12`, `evans10` or a CSV file `category,weight[,description]`.
    pub fn load(arg: &str, opts: &ReadOptions) -> Result<Self> {
        match builtin_or_file(arg, "--weights", &BUILTIN_WEIGHTS)? {
            Some(0) => return Ok(Self::fedex12()),
            Some(_) => return Ok(Self::evans10()),
            None => {}
        }
        Self::read(&Source::from_arg_as(arg, opts.input_format), opts)
    }

    /// Reads a weights table `category,weight[,description]` from
    /// `source` (a CSV or columnar file, or a DataFrame).
    pub fn read(source: &Source, opts: &ReadOptions) -> Result<Self> {
        let name = source.name();
        let (header, rows) = read_small(source, opts)?;
        let need = |c: &str| {
            header.find(c).ok_or_else(|| {
                Error::file(
                    &name,
                    Some(1),
                    format!(
                        "the weights table needs a '{c}' column (category,weight[,description])"
                    ),
                )
            })
        };
        let (cc, wc) = (need("category")?, need("weight")?);
        for (line, row) in &rows {
            check_width(&name, &header, *line, row)?;
        }
        let table = Self::from_rows(&name, &rows, cc, wc, header.find("description")).map_err(
            |e| -> Error {
                match e.into_kind() {
                    ErrorKind::InvalidValue {
                        file,
                        line,
                        column,
                        value,
                        problem,
                    } => ErrorKind::InvalidValue {
                        file,
                        line,
                        column: header.column(if column.number == 1 { cc } else { wc }),
                        value,
                        problem,
                    }
                    .into(),
                    other => Error::from(other),
                }
            },
        )?;
        if table.categories.is_empty() {
            return Err(Error::file(&name, None, "the weights table has no rows"));
        }
        Ok(table)
    }

    /// Builds a table from `(line, fields)` rows. Invalid values are reported
    /// with column 1 for the category and column 2 for the weight; `load`
    /// maps them to the file's real columns.
    fn from_rows(
        name: &str,
        rows: &SmallRows,
        cc: usize,
        wc: usize,
        dc: Option<usize>,
    ) -> Result<Self> {
        let mut t = WeightTable::empty(name);
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let bad = |line: u64, number: usize, column: &str, value: &str, problem: &str| -> Error {
            ErrorKind::InvalidValue {
                file: name.into(),
                line,
                column: crate::error::Column {
                    number,
                    name: column.into(),
                },
                value: value.into(),
                problem: problem.into(),
            }
            .into()
        };
        for (line, row) in rows {
            let cat = row.get(cc).map(|s| s.trim()).unwrap_or("");
            let raw = row.get(wc).map(|s| s.trim()).unwrap_or("");
            if cat.is_empty() {
                return Err(bad(
                    *line,
                    1,
                    "category",
                    cat,
                    "a weight row needs a category",
                ));
            }
            let weight = match raw.parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => w,
                _ => {
                    return Err(bad(
                        *line,
                        2,
                        "weight",
                        raw,
                        "a weight must be a number of at least 0",
                    ))
                }
            };
            let key = cat.to_lowercase();
            if let Some(first) = first_line.get(&key) {
                return Err(ErrorKind::Duplicate {
                    file: name.into(),
                    line: *line,
                    first_line: Some(*first),
                    what: format!("category {}", quoted(cat)),
                    key: vec![cat.to_string()],
                }
                .into());
            }
            first_line.insert(key, *line);
            t.push(CategoryWeight {
                category: cat.to_string(),
                weight,
                description: dc
                    .and_then(|d| row.get(d))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            });
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_are_as_published() {
        let f = WeightTable::fedex12();
        let w: Vec<f64> = f.categories.iter().map(|c| c.weight).collect();
        assert_eq!(w, [1., 5., 1., 5., 1., 1., 10., 10., 10., 5., 5., 1.]);
        assert_eq!(f.find("lost"), Some(8));
        assert_eq!(f.find("LOST"), Some(8));
        assert_eq!(f.find("stolen"), None);
        let e = WeightTable::evans10();
        assert_eq!(e.categories.len(), 10);
        assert_eq!(e.categories.iter().map(|c| c.weight).sum::<f64>(), 38.0);
    }

    #[test]
    fn duplicate_and_bad_weights_are_errors() {
        let rows: SmallRows = vec![
            (2, vec!["a".into(), "1".into()]),
            (3, vec!["A".into(), "2".into()]),
        ];
        let e = WeightTable::from_rows("w.csv", &rows, 0, 1, None).expect_err("duplicate");
        assert!(e.to_string().contains("w.csv:3"), "{e}");
        assert!(e.to_string().contains("line 2"), "{e}");
        let rows: SmallRows = vec![(2, vec!["a".into(), "-1".into()])];
        let e = WeightTable::from_rows("w.csv", &rows, 0, 1, None).expect_err("negative");
        assert!(e.to_string().contains("'-1'"), "{e}");
    }
}
