//! The example report in a real browser: headless Chromium renders it in
//! each language to a screenshot, which must exist and not be blank (many
//! non-white pixels, several colours: the charts drew). `bash .ci/setup`
//! installs Debian's `chromium` and `fonts-noto-cjk` where they are
//! missing; on a machine that cannot have a browser, set
//! `SERVGAP_SKIP_BROWSER=1` to skip this test (it says so).

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::example_report;

/// The browser: `SERVGAP_CHROMIUM`, else the first of the usual names on
/// `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SERVGAP_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// The PNG's pixels as RGB triples.
fn pixels(png_path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file =
        std::fs::File::open(png_path).unwrap_or_else(|e| panic!("{}: {e}", png_path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("not a PNG: {e}"));
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("PNG: {e}"));
    let step = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| match step {
            1 | 2 => [p[0]; 3],
            _ => [p[0], p[1], p[2]],
        })
        .collect();
    (info.width, info.height, px)
}

#[test]
fn the_example_report_renders_in_chromium_in_both_languages() {
    let Some(browser) = chromium() else {
        if std::env::var_os("SERVGAP_SKIP_BROWSER").is_some() {
            eprintln!("skipped: no Chromium, and SERVGAP_SKIP_BROWSER is set");
            return;
        }
        panic!("no Chromium on PATH: run `bash .ci/setup` (installs chromium and fonts-noto-cjk), or set SERVGAP_SKIP_BROWSER=1");
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut shots = Vec::new();
    for lang in ["en", "zh"] {
        let html = dir.path().join(format!("report-{lang}.html"));
        let png = dir.path().join(format!("report-{lang}.png"));
        example_report(lang, &html).assert().code(0);
        let out = Command::new(&browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=900,2400",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join(format!("profile-{lang}")).display()
            ))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", browser.display()));
        assert!(
            png.is_file(),
            "no screenshot; Chromium said: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (w, h, px) = pixels(&png);
        assert_eq!((w, h), (900, 2400));
        let inked = px.iter().filter(|p| p.iter().any(|&c| c < 200)).count();
        let share = inked as f64 / px.len() as f64;
        assert!(
            share > 0.03,
            "{lang}: only {:.1}% of the page is drawn",
            share * 100.0
        );
        let colours: HashSet<[u8; 3]> = px.iter().map(|p| p.map(|c| c >> 4)).collect();
        assert!(
            colours.len() >= 12,
            "{lang}: {} colours, the charts are missing",
            colours.len()
        );
        let red = px
            .iter()
            .filter(|p| p[0] > 180 && p[1] < 80 && p[2] < 80)
            .count();
        let blue = px
            .iter()
            .filter(|p| p[2] > 180 && p[0] < 60 && p[1] < 140)
            .count();
        assert!(
            red > 500 && blue > 100,
            "{lang}: the charts' red ({red}) and blue ({blue}) are missing"
        );
        shots.push(px);
    }
    assert_ne!(shots[0], shots[1], "the two languages look the same");
}
