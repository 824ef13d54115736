//! The few SVG pieces every chart is drawn with: shapes and text written
//! with every user string escaped, text measured in display columns
//! (a CJK character takes two, so Chinese labels get the room they need),
//! linear scales and round tick values. Colours and fonts come from the
//! page's CSS classes, so a chart carries no style of its own.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

/// Font size of labels, in SVG units (the page scales the whole chart).
pub const FONT: f64 = 12.0;

/// `s` with the five XML specials escaped: safe as element text and as an
/// attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The width `s` takes at `size` units: display columns (two for a CJK
/// character) times 0.6 of the size, a fair average for sans-serif text.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.width() as f64 * size * 0.6
}

/// `s` cut to at most `width` units at `size`, with `…` when cut.
pub fn fit(s: &str, width: f64, size: f64) -> String {
    if text_width(s, size) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if text_width(&out, size) + size * 0.6 > width {
            out.pop();
            out.push('…');
            return out;
        }
    }
    out
}

/// Where text is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// At its start.
    Start,
    /// At its middle.
    Middle,
    /// At its end.
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A number in SVG coordinates: two decimals at most, no `-0`.
fn n(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        return "0".into();
    }
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An SVG drawing being made.
#[derive(Debug)]
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// An empty drawing of `width` × `height` units.
    pub fn new(width: f64, height: f64) -> Self {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// Its width.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// A rectangle (negative sizes are flipped).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}"/>"#,
            n(x),
            n(y),
            n(w),
            n(h)
        );
    }

    /// A line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, class: &str) {
        let _ = write!(
            self.body,
            r#"<circle class="{class}" cx="{}" cy="{}" r="{}"/>"#,
            n(cx),
            n(cy),
            n(r)
        );
    }

    /// A polyline through `points`.
    pub fn polyline(&mut self, points: &[(f64, f64)], class: &str) {
        if points.is_empty() {
            return;
        }
        let pts: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{},{}", n(x), n(y)))
            .collect();
        let _ = write!(
            self.body,
            r#"<polyline class="{class}" points="{}"/>"#,
            pts.join(" ")
        );
    }

    /// Text (escaped) at `(x, y)`, its baseline at `y`.
    pub fn text(&mut self, x: f64, y: f64, s: &str, anchor: Anchor, class: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{}" y="{}" text-anchor="{}">{}</text>"#,
            n(x),
            n(y),
            anchor.as_str(),
            escape(s)
        );
    }

    /// Text turned a quarter left, centred on `(x, y)` (a vertical axis title).
    pub fn vertical_text(&mut self, x: f64, y: f64, s: &str, class: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" transform="translate({},{}) rotate(-90)" text-anchor="middle">{}</text>"#,
            n(x),
            n(y),
            escape(s)
        );
    }

    /// Text slanted up to the left from its end at `(x, y)` (category
    /// labels under narrow bars).
    pub fn slanted_text(&mut self, x: f64, y: f64, s: &str, class: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" transform="translate({},{}) rotate(-35)" text-anchor="end">{}</text>"#,
            n(x),
            n(y),
            escape(s)
        );
    }

    /// The finished `<svg>` element, described by `label` for screen readers.
    pub fn finish(self, label: &str) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>"#,
            n(self.width),
            n(self.height),
            escape(label),
            self.body
        )
    }
}

/// A linear map from a domain to a range of SVG units.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `d0..d1` onto `r0..r1` (a zero-width domain is widened).
    pub fn new((d0, d1): (f64, f64), (r0, r1): (f64, f64)) -> Self {
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 0.5, d0 + 0.5)
        };
        Scale { d0, d1, r0, r1 }
    }

    /// Where `v` goes.
    pub fn at(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// The domain.
    pub fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }
}

/// Round tick values covering `lo..hi`, about `count` of them (steps of 1,
/// 2 or 5 times a power of ten); the domain widened to the outer ticks.
pub fn ticks(lo: f64, hi: f64, count: usize) -> ((f64, f64), Vec<f64>) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let raw = (hi - lo) / count.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let k = ((last - first) / step).round() as usize;
    let values = (0..=k)
        .map(|i| first + i as f64 * step)
        .map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v })
        .collect();
    ((first, last), values)
}

/// A tick's text: as few decimals as its step needs; from ten thousand
/// on in thousands (`40k`) or millions (`40M`), so that it fits the margin.
pub fn tick_text(v: f64, step: f64) -> String {
    let (scale, suffix) = match v.abs().max(step) {
        m if m >= 1e6 => (1e6, "M"),
        m if m >= 1e4 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let (v, step) = (v / scale, step / scale);
    let places = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    let text = format!("{v:.places$}");
    match (suffix, v == 0.0) {
        (_, true) => "0".into(),
        ("", _) => text,
        (s, _) => format!("{text}{s}"),
    }
}

/// A vertical value axis at `x` over `scale` (vertical), grid lines to
/// `x_end`, tick texts left of it.
pub fn y_axis(svg: &mut Svg, scale: &Scale, ticks: &[f64], x: f64, x_end: f64) {
    let step = ticks.get(1).zip(ticks.first()).map_or(1.0, |(b, a)| b - a);
    for &t in ticks {
        let y = scale.at(t);
        svg.line(x, y, x_end, y, if t == 0.0 { "zero" } else { "grid" });
        svg.text(
            x - 4.0,
            y + FONT * 0.35,
            &tick_text(t, step),
            Anchor::End,
            "tick",
        );
    }
}

/// A horizontal value axis at `y` over `scale` (horizontal), grid lines up
/// to `y_top`, tick texts below it.
pub fn x_axis(svg: &mut Svg, scale: &Scale, ticks: &[f64], y: f64, y_top: f64) {
    let step = ticks.get(1).zip(ticks.first()).map_or(1.0, |(b, a)| b - a);
    for &t in ticks {
        let x = scale.at(t);
        svg.line(x, y_top, x, y, if t == 0.0 { "zero" } else { "grid" });
        svg.text(
            x,
            y + FONT + 2.0,
            &tick_text(t, step),
            Anchor::Middle,
            "tick",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_measured_by_display_width() {
        assert_eq!(escape(r#"<script>"a'&"#), "&lt;script&gt;&quot;a&#39;&amp;");
        assert_eq!(text_width("ab", 10.0), 12.0);
        assert_eq!(text_width("可靠", 10.0), 24.0);
        assert_eq!(fit("Responsiveness", 40.0, 10.0), "Respo…");
        assert_eq!(fit("可靠性很重要", 40.0, 10.0), "可靠…");
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        // a step of 0.31 rounds up to 0.5
        let ((lo, hi), t) = ticks(-1.13, 0.42, 5);
        assert_eq!(t, vec![-1.5, -1.0, -0.5, 0.0, 0.5]);
        assert_eq!((lo, hi), (-1.5, 0.5));
        let (_, t) = ticks(0.0, 100.0, 4);
        assert_eq!(t, vec![0.0, 50.0, 100.0]);
        assert_eq!(tick_text(-0.5, 0.5), "-0.5");
        assert_eq!(tick_text(50.0, 50.0), "50");
        assert_eq!(tick_text(40_000_000.0, 10_000_000.0), "40M");
        assert_eq!(tick_text(25_000.0, 5_000.0), "25k");
        assert_eq!(tick_text(2_500_000.0, 500_000.0), "2.5M");
        let s = Scale::new((0.0, 10.0), (100.0, 200.0));
        assert_eq!(s.at(5.0), 150.0);
    }
}
