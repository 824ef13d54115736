//! The documentation runs: every `console` block of `README.md` and
//! `docs/*.md` is a trycmd case (the command run from the repository's
//! folder, its output and exit code compared; `...` and `[..]` elide), and
//! every `servgap` command of an `sh` block runs in a scratch folder that
//! sees `data/`, and must succeed or fail only a check (exit 0 or 1).
//! After an intended change of output, `TRYCMD=overwrite cargo test --test
//! docs` rewrites the blocks; review the diff.

mod common;

use std::path::Path;

#[test]
fn console_blocks_show_real_output() {
    let root = common::root();
    // the cases' commands run in the process's folder; this test binary
    // holds no other test
    std::env::set_current_dir(&root).unwrap_or_else(|e| panic!("{e}"));
    let cases = trycmd::TestCases::new();
    cases
        .register_bin(
            "servgap",
            std::path::PathBuf::from(env!("CARGO_BIN_EXE_servgap")),
        )
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C.UTF-8")
        .env("LANG", "C.UTF-8")
        .case("README.md")
        .case("docs/*.md");
}

/// The `servgap` commands of the `sh` blocks of a Markdown file, with
/// their `\` continuations joined.
fn sh_commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut current = String::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                let command = std::mem::take(&mut current);
                if command.trim_start().starts_with("servgap ") {
                    out.push(command.trim().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn sh_blocks_run() {
    let root = common::root();
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_servgap"));
    let bin_dir = bin.parent().unwrap_or(Path::new("."));
    let mut files = vec![root.join("README.md")];
    let docs = std::fs::read_dir(root.join("docs")).unwrap_or_else(|e| panic!("{e}"));
    for entry in docs.flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            files.push(entry.path());
        }
    }
    let mut ran = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{e}"));
        for command in sh_commands(&text) {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            std::os::unix::fs::symlink(root.join("data"), dir.path().join("data"))
                .unwrap_or_else(|e| panic!("{e}"));
            let path = format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let out = std::process::Command::new("bash")
                .args(["-c", &command])
                .current_dir(dir.path())
                .env("PATH", path)
                .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{}: `{command}`: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 1, "no sh commands found");
}
