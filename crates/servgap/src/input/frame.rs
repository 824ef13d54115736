//! Columnar inputs (SPEC §3.9): a Parquet or Arrow IPC file, or a polars
//! `DataFrame` a program holds, read with exactly the rules of the CSV
//! readers. Rather than a second set of row rules, a frame is written out
//! as the CSV text it stands for, a batch of rows at a time, and streamed
//! through the same record engine: row `r` (0-based) becomes line `r + 2`,
//! after the header, so a bad value is named by the line a CSV export
//! would have and, in the message, by its row. Strings are written as they
//! are (quoted where CSV needs it), integers and floats as their shortest
//! text (a whole float without a point, as a CSV export writes it), dates
//! as `YYYY-MM-DD`, timestamps as `YYYY-MM-DDTHH:MM:SS`, booleans as
//! `true`/`false`, and a null as an empty cell, which every reader takes
//! as missing.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::ColumnarFormat;
use crate::error::{Error, Result};

/// A `DataFrame` with the name messages give it.
#[derive(Clone)]
pub struct NamedFrame {
    name: String,
    frame: Arc<DataFrame>,
}

impl NamedFrame {
    pub(crate) fn new(name: String, frame: DataFrame) -> Self {
        NamedFrame {
            name,
            frame: Arc::new(frame),
        }
    }

    /// `DataFrame 'NAME'`, as messages name it.
    pub fn name(&self) -> String {
        format!("DataFrame '{}'", self.name)
    }

    /// The frame.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }
}

impl std::fmt::Debug for NamedFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NamedFrame({:?}, {:?})", self.name, self.frame.shape())
    }
}

impl PartialEq for NamedFrame {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.frame, &other.frame)
    }
}

/// Reads a Parquet or Arrow IPC file (standard input when `path` is
/// `None`) into a frame.
pub(crate) fn read_file(
    path: Option<&Path>,
    format: ColumnarFormat,
    name: &str,
) -> Result<DataFrame> {
    let unreadable = |e: PolarsError| {
        Error::file(
            name,
            None,
            format!("cannot be read as {}: {e}", format.as_str()),
        )
    };
    let bytes = match path {
        Some(p) => std::fs::read(p).map_err(|e| Error::io(p, e))?,
        None => {
            let mut b = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut b)
                .map_err(|e| Error::io("<stdin>", e))?;
            b
        }
    };
    let cursor = std::io::Cursor::new(bytes);
    match format {
        ColumnarFormat::Parquet => ParquetReader::new(cursor).finish().map_err(unreadable),
        ColumnarFormat::Ipc => IpcReader::new(cursor).finish().map_err(unreadable),
    }
}

/// One column's values, in the form they are written from.
enum Values {
    Text(StringChunked),
    Int(Int64Chunked),
    UInt(UInt64Chunked),
    Float(Float64Chunked),
    Float32(Float32Chunked),
    Bool(BooleanChunked),
    /// Days since 1970-01-01.
    Date(Int32Chunked),
    /// Time since 1970-01-01 in the unit given.
    Datetime(Int64Chunked, TimeUnit),
    /// A column of nulls only.
    Null,
}

/// The values of `column` of `frame` `name`, or an error naming a type
/// no reader can take.
fn values(name: &str, column: &Column) -> Result<Values> {
    let s = column.as_materialized_series().rechunk();
    let cast = |to: &DataType| {
        s.cast(to)
            .map_err(|e| Error::file(name, Some(1), format!("column '{}': {e}", s.name())))
    };
    let wrong = || {
        Error::file(
            name,
            Some(1),
            format!(
                "column '{}' has the type {}, which servgap cannot read (text, numbers, booleans, dates and timestamps can be read)",
                s.name(),
                s.dtype()
            ),
        )
    };
    let v = match s.dtype() {
        DataType::String => Values::Text(s.str().map_err(|_| wrong())?.clone()),
        DataType::Categorical(..) | DataType::Enum(..) => {
            Values::Text(cast(&DataType::String)?.str().map_err(|_| wrong())?.clone())
        }
        DataType::Boolean => Values::Bool(s.bool().map_err(|_| wrong())?.clone()),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            Values::Int(cast(&DataType::Int64)?.i64().map_err(|_| wrong())?.clone())
        }
        DataType::UInt64 => Values::UInt(s.u64().map_err(|_| wrong())?.clone()),
        DataType::Float64 => Values::Float(s.f64().map_err(|_| wrong())?.clone()),
        DataType::Float32 => Values::Float32(s.f32().map_err(|_| wrong())?.clone()),
        DataType::Date => Values::Date(cast(&DataType::Int32)?.i32().map_err(|_| wrong())?.clone()),
        DataType::Datetime(unit, _) => {
            let unit = *unit;
            Values::Datetime(
                cast(&DataType::Int64)?.i64().map_err(|_| wrong())?.clone(),
                unit,
            )
        }
        DataType::Null => Values::Null,
        _ => return Err(wrong()),
    };
    Ok(v)
}

/// Appends `text` as a CSV field: quoted when it holds a comma, a quote or
/// a line break.
fn push_field(buf: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        buf.push(b'"');
        for b in text.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(text.as_bytes());
    }
}

/// Appends a float as a CSV export writes it: a whole number without a
/// point, others as their shortest text.
fn push_float(buf: &mut Vec<u8>, v: f64, shortest: impl FnOnce() -> String) {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        buf.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        buf.extend_from_slice(shortest().as_bytes());
    }
}

impl Values {
    /// Appends row `i`'s cell (nothing for a null).
    fn push(&self, buf: &mut Vec<u8>, i: usize) {
        match self {
            Values::Text(c) => {
                if let Some(t) = c.get(i) {
                    push_field(buf, t);
                }
            }
            Values::Int(c) => {
                if let Some(v) = c.get(i) {
                    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
                }
            }
            Values::UInt(c) => {
                if let Some(v) = c.get(i) {
                    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
                }
            }
            Values::Float(c) => {
                if let Some(v) = c.get(i) {
                    push_float(buf, v, || v.to_string());
                }
            }
            Values::Float32(c) => {
                if let Some(v) = c.get(i) {
                    push_float(buf, f64::from(v), || v.to_string());
                }
            }
            Values::Bool(c) => {
                if let Some(v) = c.get(i) {
                    buf.extend_from_slice(if v { b"true" } else { b"false" });
                }
            }
            Values::Date(c) => {
                let day = c.get(i).and_then(|d| {
                    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
                        .checked_add_signed(chrono::TimeDelta::try_days(i64::from(d))?)
                });
                if let Some(d) = day {
                    buf.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes());
                }
            }
            Values::Datetime(c, unit) => {
                let at = c.get(i).and_then(|t| match unit {
                    TimeUnit::Milliseconds => chrono::DateTime::from_timestamp_millis(t),
                    TimeUnit::Microseconds => chrono::DateTime::from_timestamp_micros(t),
                    TimeUnit::Nanoseconds => Some(chrono::DateTime::from_timestamp_nanos(t)),
                });
                if let Some(t) = at {
                    let text = t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string();
                    buf.extend_from_slice(text.as_bytes());
                }
            }
            Values::Null => {}
        }
    }
}

/// A frame as the CSV text it stands for: the header, then its rows, made
/// a batch at a time as the engine reads.
pub(crate) struct FrameReader {
    columns: Vec<Values>,
    rows: usize,
    next: usize,
    buf: Vec<u8>,
    at: usize,
}

/// Rows made per batch.
const BATCH: usize = 4096;

impl FrameReader {
    /// The reader of `frame`, called `name` in messages.
    pub(crate) fn new(name: &str, frame: &DataFrame) -> Result<Self> {
        let columns = frame
            .columns()
            .iter()
            .map(|c| values(name, c))
            .collect::<Result<Vec<_>>>()?;
        let mut buf = Vec::new();
        for (i, c) in frame.columns().iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            push_field(&mut buf, c.name().as_str());
        }
        buf.push(b'\n');
        Ok(FrameReader {
            columns,
            rows: frame.height(),
            next: 0,
            buf,
            at: 0,
        })
    }

    /// Makes the next batch of rows into `buf`.
    fn refill(&mut self) {
        self.buf.clear();
        self.at = 0;
        let end = (self.next + BATCH).min(self.rows);
        for i in self.next..end {
            for (k, c) in self.columns.iter().enumerate() {
                if k > 0 {
                    self.buf.push(b',');
                }
                c.push(&mut self.buf, i);
            }
            self.buf.push(b'\n');
        }
        self.next = end;
    }
}

impl Read for FrameReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            self.refill();
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: &DataFrame) -> String {
        let mut r = FrameReader::new("t", frame).unwrap_or_else(|e| panic!("{e}"));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap_or_else(|e| panic!("{e}"));
        s
    }

    #[test]
    fn a_frame_reads_as_the_csv_it_stands_for() {
        let frame = df!(
            "respondent_id" => ["R1", "R,2"],
            "e" => [Some(5.0f64), None],
            "p" => [4i32, 3],
            "ok" => [true, false],
            "w" => [0.25f32, 1.5],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text(&frame),
            "respondent_id,e,p,ok,w\nR1,5,4,true,0.25\n\"R,2\",,3,false,1.5\n"
        );
    }

    #[test]
    fn dates_and_timestamps_are_written_as_csv_exports_write_them() {
        let days = Series::new("date".into(), [20454i32, 20455])
            .cast(&DataType::Date)
            .unwrap_or_else(|e| panic!("{e}"));
        // 2026-01-01T08:30:00 UTC in milliseconds
        let at = Series::new("at".into(), [1_767_256_200_000i64, 0])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap_or_else(|e| panic!("{e}"));
        let frame =
            DataFrame::new(2, vec![days.into(), at.into()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text(&frame),
            "date,at\n2026-01-01,2026-01-01T08:30:00\n2026-01-02,1970-01-01T00:00:00\n"
        );
    }

    #[test]
    fn many_rows_come_in_batches_in_order() {
        let n = BATCH * 2 + 7;
        let frame = df!("i" => (0..n as i64).collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{e}"));
        let t = text(&frame);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), n + 1);
        assert_eq!(lines[n], (n - 1).to_string());
    }
}
