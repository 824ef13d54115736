//! Results as polars DataFrames (the `polars` feature): a data table
//! becomes a frame whose columns are the table's data columns, named as
//! the JSON fields — text as strings, counts as unsigned integers, figures
//! as floats, yes/no as booleans, an unavailable figure as null — so a
//! frame, a CSV table and a Parquet file of the same table agree. Parquet
//! output writes one such frame.

use polars::prelude::*;

use super::tabular::{Audience, Cell, Kind, Table};
use crate::error::{Error, Result};

/// An error of polars while building or writing a frame (a bug, or the
/// output failing).
fn perr(e: PolarsError) -> Error {
    Error::internal(format!("building a DataFrame: {e}"))
}

/// One column's values as they are collected.
enum Collected {
    Text(Vec<Option<String>>),
    Count(Vec<Option<u64>>),
    Number(Vec<Option<f64>>),
    Flag(Vec<Option<bool>>),
}

impl Collected {
    fn for_kind(kind: Kind, rows: usize) -> Self {
        match kind {
            Kind::Text | Kind::Interval(_) => Collected::Text(Vec::with_capacity(rows)),
            Kind::Count => Collected::Count(Vec::with_capacity(rows)),
            Kind::Number(_) => Collected::Number(Vec::with_capacity(rows)),
            Kind::Flag(_) => Collected::Flag(Vec::with_capacity(rows)),
        }
    }

    fn push(&mut self, cell: Option<&Cell>, kind: Kind) {
        match self {
            Collected::Text(v) => v.push(cell.map(|c| c.render(kind, Audience::Data))),
            Collected::Count(v) => v.push(match cell {
                Some(Cell::Count(n)) => *n,
                _ => None,
            }),
            Collected::Number(v) => v.push(match cell {
                Some(Cell::Number(x)) => x.filter(|x| x.is_finite()),
                Some(Cell::Count(n)) => n.map(|n| n as f64),
                _ => None,
            }),
            Collected::Flag(v) => v.push(match cell {
                Some(Cell::Flag(b)) => Some(*b),
                _ => None,
            }),
        }
    }

    fn into_column(self, name: &str) -> Column {
        let name = PlSmallStr::from(name);
        match self {
            Collected::Text(v) => Series::new(name, v).into(),
            Collected::Count(v) => Series::new(name, v).into(),
            Collected::Number(v) => Series::new(name, v).into(),
            Collected::Flag(v) => Series::new(name, v).into(),
        }
    }
}

/// `table` as a DataFrame of its data columns.
pub fn table_frame(table: &Table<'_>) -> Result<DataFrame> {
    let columns = table.visible(Audience::Data);
    let rows = table.len();
    let mut collected: Vec<Collected> = columns
        .iter()
        .map(|&c| Collected::for_kind(table.columns[c].kind, rows))
        .collect();
    table.try_each_row(|row| {
        for (out, &c) in collected.iter_mut().zip(&columns) {
            out.push(row.get(c), table.columns[c].kind);
        }
        Ok::<(), Error>(())
    })?;
    let frame_columns: Vec<Column> = collected
        .into_iter()
        .zip(&columns)
        .map(|(v, &c)| v.into_column(&table.columns[c].name))
        .collect();
    DataFrame::new(rows, frame_columns).map_err(perr)
}

/// Writes `table` as a Parquet file.
pub fn write_parquet(table: &Table<'_>, out: &mut dyn std::io::Write) -> Result<()> {
    let mut frame = table_frame(table)?;
    ParquetWriter::new(out)
        .finish(&mut frame)
        .map(|_| ())
        .map_err(|e| Error::internal(format!("writing Parquet: {e}")))
}
