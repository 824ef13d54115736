//! Helpers shared by the integration tests: run the real binary from the
//! workspace root, parse its JSON, find rows by key.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The workspace root (where `data/` lives).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path under the workspace root, as a string.
pub fn data(rel: &str) -> String {
    root().join(rel).to_string_lossy().into_owned()
}

/// A path in `data/reference/`: the published tables (and the real kiosk
/// export), copied verbatim from `../shared/reference/` so that a clone
/// anywhere runs every test.
pub fn reference(name: &str) -> String {
    data(&format!("data/reference/{name}"))
}

/// `servgap` run from the workspace root.
pub fn servgap() -> Command {
    let mut c = Command::cargo_bin("servgap").unwrap_or_else(|e| panic!("binary: {e}"));
    c.current_dir(root());
    c.env("NO_COLOR", "1").env_remove("COLUMNS");
    c
}

/// `servgap report --config data/example.toml --lang LANG -o OUT`: the
/// example report, ready for more flags.
pub fn example_report(lang: &str, out: &Path) -> Command {
    let mut c = servgap();
    c.args([
        "report",
        "--config",
        "data/example.toml",
        "--lang",
        lang,
        "-o",
    ])
    .arg(out);
    c
}

/// Runs servgap with `--format json`, expects success, parses stdout.
pub fn json(args: &[&str]) -> Value {
    let out = servgap()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(
        out.status.success(),
        "servgap {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}"))
}

/// The row of `array` whose `key` field equals `value`.
pub fn row<'a>(array: &'a Value, key: &str, value: &str) -> &'a Value {
    array
        .as_array()
        .and_then(|a| a.iter().find(|r| r[key] == value))
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {array}"))
}

/// A number field.
pub fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

/// Writes `bytes` to `name` in `dir`; returns the path as a string.
pub fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    p.to_string_lossy().into_owned()
}

/// Runs servgap and pins its stdout as the `insta` snapshot `NAME`
/// (`tests/snapshots/NAME.snap`; review changes with `cargo insta review`).
pub fn snapshot(name: &str, args: &[&str]) {
    snapshot_exit(name, args, 0);
}

/// [`snapshot`] of a run that exits with `code`.
pub fn snapshot_exit(name: &str, args: &[&str], code: i32) {
    let out = servgap()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // paths differ between machines: the footer names the file relative to the root
    let got = String::from_utf8_lossy(&out.stdout)
        .replace(&root().to_string_lossy().into_owned(), "<root>");
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, got);
    });
}
