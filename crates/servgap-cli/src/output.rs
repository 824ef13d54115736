//! Where results and messages go: results to standard output or written
//! atomically to `--output` (temporary file in the same folder, then
//! rename, so a reader never sees half a file); messages to standard error,
//! coloured only on a terminal and never when `NO_COLOR` is set; a progress
//! bar for long reads, hidden when standard error is not a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use servgap::input::{ReadOptions, Source};

/// Prints an error as `servgap: error: …`.
pub fn report_error(err: &servgap::Error) {
    let stderr = std::io::stderr();
    let colour = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let label = if colour {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let _ = writeln!(stderr.lock(), "servgap: {label}: {err}");
}

/// Says on stderr, one line per input file, how many rows were rejected
/// and why, whatever the output format and wherever the output goes.
pub fn report_rejections(rows: &[servgap::input::InputRows]) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for note in rows.iter().filter_map(|r| r.rejection_note()) {
        let _ = writeln!(err, "servgap: note: {note}");
    }
}

/// Prints a panic as the internal error it is (the panic hook).
pub fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    let place = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    report_error(&servgap::Error::from(servgap::ErrorKind::Internal(
        format!("{what}{place}"),
    )));
}

/// Prints a failed check as `servgap: check failed: …`.
pub fn report_check_failure(message: &str) {
    let stderr = std::io::stderr();
    let colour = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let label = if colour {
        "\x1b[1;33mcheck failed\x1b[0m"
    } else {
        "check failed"
    };
    let _ = writeln!(stderr.lock(), "servgap: {label}: {message}");
}

/// Writes the rendered result: to stdout, or atomically to a file.
pub fn write_output(path: Option<&str>, text: &str) -> servgap::Result<()> {
    write_output_with(path, |w| {
        w.write_all(text.as_bytes()).map_err(|e| {
            servgap::Error::from(servgap::ErrorKind::Io {
                path: "<output>".into(),
                source: e,
            })
        })
    })
}

/// Streams a result through `write`: to stdout, or atomically to a file
/// (a temporary file beside it, renamed when complete; on an error nothing
/// is left behind).
pub fn write_output_with(
    path: Option<&str>,
    write: impl FnOnce(&mut dyn Write) -> servgap::Result<()>,
) -> servgap::Result<()> {
    match path {
        None | Some("-") => {
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let result = write(&mut out).and_then(|_| {
                out.flush().map_err(|e| {
                    servgap::Error::from(servgap::ErrorKind::Io {
                        path: "<stdout>".into(),
                        source: e,
                    })
                })
            });
            match result {
                // A closed pipe (`servgap … | head`) is not an error.
                Err(e) if is_broken_pipe(&e) => Ok(()),
                other => other,
            }
        }
        Some(p) => {
            let path = Path::new(p);
            // errors name the path the user gave, never the temporary file
            let io = |e: std::io::Error| {
                servgap::Error::from(servgap::ErrorKind::Io {
                    path: path.to_path_buf(),
                    source: without_path(e),
                })
            };
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            if !dir.is_dir() {
                return Err(servgap::Error::from(servgap::ErrorKind::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!(
                            "cannot write it: the folder {} does not exist",
                            dir.display()
                        ),
                    ),
                }));
            }
            let in_place = |e: servgap::Error| match e.into_kind() {
                servgap::ErrorKind::Io { source, .. } => io(source),
                other => servgap::Error::from(other),
            };
            // A device or a pipe (`-o /dev/null`, a FIFO) is written in
            // place: a rename would replace it with a regular file.
            if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io)?;
                let mut buf = std::io::BufWriter::with_capacity(1 << 16, file);
                write(&mut buf).map_err(in_place)?;
                return buf.flush().map_err(io);
            }
            let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
            {
                let mut buf = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
                write(&mut buf).map_err(in_place)?;
                buf.flush().map_err(io)?;
            }
            // The temporary file is private; the result keeps the mode of
            // the file it replaces, or gets the usual one.
            let perms = match std::fs::metadata(path) {
                Ok(m) => Some(m.permissions()),
                Err(_) => default_permissions(),
            };
            if let Some(perms) = perms {
                std::fs::set_permissions(tmp.path(), perms).map_err(io)?;
            }
            tmp.as_file().sync_all().map_err(io)?;
            tmp.persist(path).map_err(|e| io(e.error))?;
            Ok(())
        }
    }
}

/// An I/O error without the temporary file's path that `tempfile` adds.
fn without_path(e: std::io::Error) -> std::io::Error {
    match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(e.kind(), e.kind().to_string()),
    }
}

fn is_broken_pipe(e: &servgap::Error) -> bool {
    matches!(e.kind(), servgap::ErrorKind::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The mode of a new output file: rw-r--r-- (the temporary file is rw-------).
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere the temporary file already has the usual permissions.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Runs `f` with a progress bar on large files when stderr is a terminal.
pub fn with_progress<T>(
    source: &Source,
    mut read: ReadOptions,
    f: impl FnOnce(ReadOptions) -> T,
) -> T {
    let size = match source {
        Source::Path(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        _ => 0,
    };
    if size < (64 << 20) || !std::io::stderr().is_terminal() {
        return f(read);
    }
    let counter = Arc::new(AtomicU64::new(0));
    read.progress = Some(counter.clone());
    let done = Arc::new(AtomicBool::new(false));
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} reading {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ticker = {
        let (bar, counter, done) = (bar.clone(), counter.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(counter.load(Ordering::Relaxed).min(size));
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let out = f(read);
    done.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    out
}
