//! The report's charts: one function per kind of chart, each taking plain
//! labelled numbers (already in the reader's language) and returning one
//! inline `<svg>` element. No chart library: plotters' SVG backend
//! measures CJK text as bytes without its `ttf` feature, and charming
//! loads ECharts from the network; these functions measure text in display
//! columns ([`svg::text_width`]), escape every label, and leave colours to
//! the page's CSS. Titles and one-sentence readings are the page's; a
//! chart draws its axes, their titles and its legend.

pub mod svg;

use svg::{fit, text_width, ticks, x_axis, y_axis, Anchor, Scale, Svg, FONT};

/// Width of every chart, in SVG units.
pub const WIDTH: f64 = 720.0;

/// One labelled value with an interval around it.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// The row's label.
    pub label: String,
    /// The value (`None`: unavailable, drawn as nothing).
    pub value: Option<f64>,
    /// The interval's ends.
    pub low: Option<f64>,
    /// See `low`.
    pub high: Option<f64>,
}

/// The widest of `labels` at the label size, capped at a third of the chart.
fn label_room(labels: impl Iterator<Item = impl AsRef<str>>) -> f64 {
    labels
        .map(|l| text_width(l.as_ref(), FONT))
        .fold(40.0, f64::max)
        .min(WIDTH / 3.0)
        + 8.0
}

/// A legend of `(class, name)` swatches from the left at `y`, wrapping to
/// a new line when the chart's width is used up; returns the height it
/// took.
fn legend(svg: &mut Svg, items: &[(&str, &str)], y: f64) -> f64 {
    let (left, right) = (8.0, svg.width() - 8.0);
    let (mut x, mut y) = (left, y);
    for (class, name) in items {
        let w = 16.0 + text_width(name, FONT) + 18.0;
        if x > left && x + w > right {
            (x, y) = (left, y + FONT + 8.0);
        }
        svg.rect(x, y - 5.0, 10.0, 10.0, class);
        svg.text(x + 15.0, y + FONT * 0.35, name, Anchor::Start, "legend");
        x += w;
    }
    y + 10.0
}

/// How many lines a legend of `items` takes in a chart of `width`.
fn legend_lines(items: &[&str], width: f64) -> usize {
    let (left, right) = (8.0, width - 8.0);
    let mut x = left;
    let mut lines = 1;
    for name in items {
        let w = 16.0 + text_width(name, FONT) + 18.0;
        if x > left && x + w > right {
            x = left;
            lines += 1;
        }
        x += w;
    }
    lines
}

/// Horizontal bars from zero with their intervals: dimension gaps with
/// 95% CIs. Negative bars (shortfalls) and positive ones take different
/// classes.
pub fn bars_with_intervals(rows: &[Interval], axis: &str, label: &str) -> String {
    let row_h = 26.0;
    let top = 12.0;
    let left = label_room(rows.iter().map(|r| &r.label));
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 40.0;
    let values = rows.iter().flat_map(|r| [r.value, r.low, r.high]).flatten();
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let ((d0, d1), t) = ticks(lo, hi, 6);
    let x = Scale::new((d0, d1), (left, WIDTH - 16.0));
    let mut svg = Svg::new(WIDTH, height);
    x_axis(&mut svg, &x, &t, bottom, top);
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        svg.text(
            left - 6.0,
            y + row_h / 2.0 + FONT * 0.35,
            &fit(&r.label, left - 8.0, FONT),
            Anchor::End,
            "label",
        );
        if let Some(v) = r.value {
            let class = if v < 0.0 { "bar neg" } else { "bar pos" };
            svg.rect(x.at(0.0), y + 5.0, x.at(v) - x.at(0.0), row_h - 10.0, class);
        }
        if let (Some(l), Some(h)) = (r.low, r.high) {
            let cy = y + row_h / 2.0;
            svg.line(x.at(l), cy, x.at(h), cy, "ci");
            svg.line(x.at(l), cy - 5.0, x.at(l), cy + 5.0, "ci");
            svg.line(x.at(h), cy - 5.0, x.at(h), cy + 5.0, "ci");
        }
    }
    svg.text(
        (left + WIDTH - 16.0) / 2.0,
        height - 6.0,
        axis,
        Anchor::Middle,
        "axis-title",
    );
    svg.finish(label)
}

/// One row of a dumbbell: two values of one label.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The row's label.
    pub label: String,
    /// The first value (expectation).
    pub a: Option<f64>,
    /// The second value (perception).
    pub b: Option<f64>,
}

/// A dumbbell per row: expectation and perception of each item joined by
/// a line, on the response scale `range`; `names` name the two ends in
/// the legend.
pub fn dumbbell(
    rows: &[Pair],
    range: (f64, f64),
    axis: &str,
    names: (&str, &str),
    label: &str,
) -> String {
    let row_h = 20.0;
    let top = 30.0;
    let left = label_room(rows.iter().map(|r| &r.label));
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 40.0;
    let (_, t) = ticks(range.0, range.1, 6);
    let x = Scale::new(range, (left, WIDTH - 16.0));
    let mut svg = Svg::new(WIDTH, height);
    legend(&mut svg, &[("dot-a", names.0), ("dot-b", names.1)], 12.0);
    x_axis(&mut svg, &x, &t, bottom, top);
    for (i, r) in rows.iter().enumerate() {
        let cy = top + row_h * i as f64 + row_h / 2.0;
        svg.text(
            left - 6.0,
            cy + FONT * 0.35,
            &fit(&r.label, left - 8.0, FONT),
            Anchor::End,
            "label",
        );
        if let (Some(a), Some(b)) = (r.a, r.b) {
            svg.line(
                x.at(a),
                cy,
                x.at(b),
                cy,
                if b < a { "link neg" } else { "link pos" },
            );
        }
        if let Some(a) = r.a {
            svg.circle(x.at(a), cy, 4.5, "dot-a");
        }
        if let Some(b) = r.b {
            svg.circle(x.at(b), cy, 4.5, "dot-b");
        }
    }
    svg.text(
        (left + WIDTH - 16.0) / 2.0,
        height - 6.0,
        axis,
        Anchor::Middle,
        "axis-title",
    );
    svg.finish(label)
}

/// One row of the zone of tolerance: adequate and desired service, and
/// the perceived service.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// The row's label.
    pub label: String,
    /// Adequate service (the band's low end).
    pub low: Option<f64>,
    /// Desired service (its high end).
    pub high: Option<f64>,
    /// Perceived service.
    pub value: Option<f64>,
}

/// The zone of tolerance: a band from adequate to desired service per row,
/// and a mark for perceived service, below, within or above the band.
pub fn bands(
    rows: &[Band],
    range: (f64, f64),
    axis: &str,
    names: (&str, &str),
    label: &str,
) -> String {
    let row_h = 22.0;
    let top = 30.0;
    let left = label_room(rows.iter().map(|r| &r.label));
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 40.0;
    let (_, t) = ticks(range.0, range.1, 6);
    let x = Scale::new(range, (left, WIDTH - 16.0));
    let mut svg = Svg::new(WIDTH, height);
    legend(&mut svg, &[("band", names.0), ("mark", names.1)], 12.0);
    x_axis(&mut svg, &x, &t, bottom, top);
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let cy = y + row_h / 2.0;
        svg.text(
            left - 6.0,
            cy + FONT * 0.35,
            &fit(&r.label, left - 8.0, FONT),
            Anchor::End,
            "label",
        );
        if let (Some(lo), Some(hi)) = (r.low, r.high) {
            svg.rect(x.at(lo), y + 4.0, x.at(hi) - x.at(lo), row_h - 8.0, "band");
        }
        if let Some(v) = r.value {
            let class = match (r.low, r.high) {
                (Some(lo), _) if v < lo => "mark neg",
                (_, Some(hi)) if v > hi => "mark pos",
                _ => "mark",
            };
            svg.rect(x.at(v) - 2.0, y + 2.0, 4.0, row_h - 4.0, class);
        }
    }
    svg.text(
        (left + WIDTH - 16.0) / 2.0,
        height - 6.0,
        axis,
        Anchor::Middle,
        "axis-title",
    );
    svg.finish(label)
}

/// One point of a scatter.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The point's label.
    pub label: String,
    /// Horizontal value.
    pub x: f64,
    /// Vertical value.
    pub y: f64,
}

/// The importance–performance plot: points, the cross at the means, and
/// the four quadrants named in their corners (`quadrants`: top left, top
/// right, bottom left, bottom right).
pub fn quadrants(
    points: &[Point],
    mid: (f64, f64),
    axes: (&str, &str),
    quadrants: [&str; 4],
    label: &str,
) -> String {
    let (left, top, right, bottom) = (56.0, 16.0, WIDTH - 16.0, 380.0);
    let height = bottom + 40.0;
    let span = |vals: &mut dyn Iterator<Item = f64>, m: f64| {
        let (lo, hi) = vals.fold((m, m), |(a, b), v| (a.min(v), b.max(v)));
        let pad = ((hi - lo) * 0.15).max(0.05);
        ticks(lo - pad, hi + pad, 5)
    };
    let (dx, tx) = span(&mut points.iter().map(|p| p.x), mid.0);
    let (dy, ty) = span(&mut points.iter().map(|p| p.y), mid.1);
    let x = Scale::new(dx, (left, right));
    let y = Scale::new(dy, (bottom, top));
    let mut svg = Svg::new(WIDTH, height);
    x_axis(&mut svg, &x, &tx, bottom, top);
    y_axis(&mut svg, &y, &ty, left, right);
    svg.line(x.at(mid.0), top, x.at(mid.0), bottom, "mid");
    svg.line(left, y.at(mid.1), right, y.at(mid.1), "mid");
    let corner = [
        (left + 6.0, top + FONT + 2.0, Anchor::Start),
        (right - 6.0, top + FONT + 2.0, Anchor::End),
        (left + 6.0, bottom - 6.0, Anchor::Start),
        (right - 6.0, bottom - 6.0, Anchor::End),
    ];
    for (name, (cx, cy, a)) in quadrants.iter().zip(corner) {
        svg.text(cx, cy, name, a, "quadrant");
    }
    for p in points {
        let (px, py) = (x.at(p.x), y.at(p.y));
        svg.circle(px, py, 5.0, "dot-b");
        svg.text(
            px + 8.0,
            py + FONT * 0.35,
            &fit(&p.label, 160.0, FONT),
            Anchor::Start,
            "point-label",
        );
    }
    svg.text(
        (left + right) / 2.0,
        height - 6.0,
        axes.0,
        Anchor::Middle,
        "axis-title",
    );
    svg.vertical_text(
        14.0,
        (top + bottom) / 2.0,
        &fit(axes.1, bottom - top, FONT),
        "axis-title",
    );
    svg.finish(label)
}

/// A series of grouped bars: its name and one value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' name (legend).
    pub name: String,
    /// One value per category (`None`: unavailable, no bar).
    pub values: Vec<Option<f64>>,
}

/// Vertical bars from zero, grouped by category, a colour per series
/// (`bar s0`, `bar s1`, …): gaps 1–5 per dimension.
pub fn grouped_bars(categories: &[String], series: &[Series], axis: &str, label: &str) -> String {
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let top = 20.0 + legend_lines(&names, WIDTH) as f64 * (FONT + 8.0);
    let (left, right, bottom) = (56.0, WIDTH - 16.0, top + 260.0);
    let height = bottom + 44.0;
    let values = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied());
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let ((d0, d1), t) = ticks(lo, hi, 6);
    let y = Scale::new((d0, d1), (bottom, top));
    let mut svg = Svg::new(WIDTH, height);
    let names: Vec<(String, &str)> = series
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("bar s{i}"), s.name.as_str()))
        .collect();
    let items: Vec<(&str, &str)> = names.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    legend(&mut svg, &items, 12.0);
    y_axis(&mut svg, &y, &t, left, right);
    let group_w = (right - left) / categories.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).min(28.0);
    for (c, name) in categories.iter().enumerate() {
        let gx = left + group_w * c as f64;
        let start = gx + (group_w - bar_w * series.len() as f64) / 2.0;
        for (s, ser) in series.iter().enumerate() {
            if let Some(v) = ser.values.get(c).copied().flatten() {
                svg.rect(
                    start + bar_w * s as f64,
                    y.at(0.0),
                    bar_w - 2.0,
                    y.at(v) - y.at(0.0),
                    &format!("bar s{s}"),
                );
            }
        }
        svg.text(
            gx + group_w / 2.0,
            bottom + FONT + 4.0,
            &fit(name, group_w - 4.0, FONT),
            Anchor::Middle,
            "label",
        );
    }
    svg.vertical_text(
        14.0,
        (top + bottom) / 2.0,
        &fit(axis, bottom - top, FONT),
        "axis-title",
    );
    svg.finish(label)
}

/// One point of a control chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// The period's label.
    pub label: String,
    /// The plotted value (`None`: not on the chart).
    pub value: Option<f64>,
    /// Upper control limit.
    pub ucl: Option<f64>,
    /// Lower control limit.
    pub lcl: Option<f64>,
    /// Beyond a limit.
    pub flagged: bool,
}

/// A control chart: the values over time, the centre line and the control
/// limits (per point: they move with the units), flagged points marked.
/// `small` draws a small multiple (no legend, fewer labels) titled
/// `title`.
pub fn control_chart(
    points: &[ChartPoint],
    centre: Option<f64>,
    axis: &str,
    names: [&str; 3],
    small: Option<&str>,
    label: &str,
) -> String {
    let (width, height) = if small.is_some() {
        (340.0, 170.0)
    } else {
        (WIDTH, 300.0)
    };
    let (left, top, right, bottom) = (
        52.0,
        if small.is_some() { 22.0 } else { 30.0 },
        width - 12.0,
        height - 30.0,
    );
    let values = points
        .iter()
        .flat_map(|p| [p.value, p.ucl, p.lcl])
        .flatten()
        .chain(centre);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    // the values' range with some room, never below zero
    let pad = (hi - lo).max(hi.abs() * 0.05) * 0.1;
    let ((d0, d1), t) = ticks(
        (lo - pad).max(0.0),
        hi + pad,
        if small.is_some() { 3 } else { 5 },
    );
    let y = Scale::new((d0, d1), (bottom, top));
    let x = Scale::new(
        (0.0, points.len().saturating_sub(1).max(1) as f64),
        (left, right),
    );
    let mut svg = Svg::new(width, height);
    match small {
        Some(title) => svg.text(
            left,
            14.0,
            &fit(title, right - left, FONT),
            Anchor::Start,
            "small-title",
        ),
        None => {
            legend(
                &mut svg,
                &[
                    ("swatch-line", names[0]),
                    ("swatch-limit", names[1]),
                    ("swatch-flag", names[2]),
                ],
                12.0,
            );
        }
    }
    y_axis(&mut svg, &y, &t, left, right);
    if let Some(c) = centre {
        svg.line(left, y.at(c), right, y.at(c), "centre");
    }
    let limit = |f: &dyn Fn(&ChartPoint) -> Option<f64>| -> Vec<Vec<(f64, f64)>> {
        let mut runs = vec![vec![]];
        for (i, p) in points.iter().enumerate() {
            match f(p) {
                Some(v) => runs
                    .last_mut()
                    .map_or((), |r| r.push((x.at(i as f64), y.at(v)))),
                None => runs.push(vec![]),
            }
        }
        runs
    };
    for run in limit(&|p| p.ucl).iter().chain(&limit(&|p| p.lcl)) {
        svg.polyline(run, "limit");
    }
    for run in limit(&|p| p.value) {
        svg.polyline(&run, "series");
    }
    for (i, p) in points.iter().enumerate() {
        if let (true, Some(v)) = (p.flagged, p.value) {
            svg.circle(
                x.at(i as f64),
                y.at(v),
                if small.is_some() { 2.5 } else { 3.5 },
                "flag",
            );
        }
    }
    let marks: Vec<usize> = match points.len() {
        0 => vec![],
        1 => vec![0],
        n => vec![0, (n - 1) / 2, n - 1],
    };
    for (k, &i) in marks.iter().enumerate() {
        let anchor =
            [Anchor::Start, Anchor::Middle, Anchor::End][if marks.len() == 1 { 0 } else { k }];
        svg.text(
            x.at(i as f64),
            bottom + FONT + 4.0,
            &points[i].label,
            anchor,
            "tick",
        );
    }
    if small.is_none() {
        svg.vertical_text(
            14.0,
            (top + bottom) / 2.0,
            &fit(axis, bottom - top, FONT),
            "axis-title",
        );
    }
    svg.finish(label)
}

/// A Pareto chart: bars in decreasing order, the cumulative share as a
/// line on a right-hand 0–100% axis, and the 80% mark.
pub fn pareto(
    rows: &[(String, f64)],
    cumulative: &[f64],
    axes: (&str, &str),
    label: &str,
) -> String {
    let (left, top, right, bottom) = (56.0, 20.0, WIDTH - 48.0, 260.0);
    let height = bottom + 96.0;
    let hi = rows.iter().map(|r| r.1).fold(0.0f64, f64::max);
    let ((d0, d1), t) = ticks(0.0, hi, 5);
    let y = Scale::new((d0, d1), (bottom, top));
    let share = Scale::new((0.0, 1.0), (bottom, top));
    let mut svg = Svg::new(WIDTH, height);
    y_axis(&mut svg, &y, &t, left, right);
    for k in 0..=4 {
        let v = k as f64 * 0.25;
        svg.text(
            right + 4.0,
            share.at(v) + FONT * 0.35,
            &format!("{}%", (v * 100.0) as u32),
            Anchor::Start,
            "tick",
        );
    }
    svg.line(left, share.at(0.8), right, share.at(0.8), "mark80");
    let slot = (right - left) / rows.len().max(1) as f64;
    let mut line = Vec::new();
    for (i, ((name, v), c)) in rows
        .iter()
        .zip(cumulative.iter().chain(std::iter::repeat(&f64::NAN)))
        .enumerate()
    {
        let x0 = left + slot * i as f64;
        svg.rect(
            x0 + slot * 0.1,
            y.at(0.0),
            slot * 0.8,
            y.at(*v) - y.at(0.0),
            "bar pareto",
        );
        if c.is_finite() {
            line.push((x0 + slot / 2.0, share.at(*c)));
        }
        // labels slanted, to fit a dozen categories
        svg.slanted_text(
            x0 + slot / 2.0 + 4.0,
            bottom + 10.0,
            &fit(name, 120.0, FONT),
            "label",
        );
    }
    svg.polyline(&line, "cumulative");
    for &(px, py) in &line {
        svg.circle(px, py, 3.0, "cumulative-dot");
    }
    svg.vertical_text(
        14.0,
        (top + bottom) / 2.0,
        &fit(axes.0, bottom - top, FONT),
        "axis-title",
    );
    svg.vertical_text(
        WIDTH - 8.0,
        (top + bottom) / 2.0,
        &fit(axes.1, bottom - top, FONT),
        "axis-title",
    );
    svg.finish(label)
}

/// One row of intervals against targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The row's label.
    pub label: String,
    /// The share (0–1).
    pub value: Option<f64>,
    /// Its interval.
    pub low: Option<f64>,
    /// See `low`.
    pub high: Option<f64>,
    /// The target share.
    pub target: f64,
}

/// Shares with their intervals against each row's target, on 0–100%:
/// compliance with Wilson intervals. A row below its target is marked.
pub fn targets(rows: &[Target], axis: &str, names: (&str, &str), label: &str) -> String {
    let row_h = 26.0;
    let top = 30.0;
    let left = label_room(rows.iter().map(|r| &r.label));
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 40.0;
    let lo = rows
        .iter()
        .flat_map(|r| [r.low, r.value, Some(r.target)])
        .flatten()
        .fold(1.0f64, f64::min);
    let floor = ((lo * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let (_, t) = ticks(floor, 1.0, 5);
    let x = Scale::new((floor, 1.0), (left, WIDTH - 24.0));
    let mut svg = Svg::new(WIDTH, height);
    legend(
        &mut svg,
        &[("dot-b", names.0), ("target-swatch", names.1)],
        12.0,
    );
    for &v in &t {
        svg.line(x.at(v), top, x.at(v), bottom, "grid");
        svg.text(
            x.at(v),
            bottom + FONT + 2.0,
            &format!("{}%", (v * 100.0).round()),
            Anchor::Middle,
            "tick",
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let cy = y + row_h / 2.0;
        svg.text(
            left - 6.0,
            cy + FONT * 0.35,
            &fit(&r.label, left - 8.0, FONT),
            Anchor::End,
            "label",
        );
        if let (Some(l), Some(h)) = (r.low, r.high) {
            svg.line(x.at(l), cy, x.at(h), cy, "ci");
        }
        svg.line(
            x.at(r.target),
            y + 3.0,
            x.at(r.target),
            y + row_h - 3.0,
            "target",
        );
        if let Some(v) = r.value {
            svg.circle(
                x.at(v),
                cy,
                5.0,
                if v < r.target { "dot-b miss" } else { "dot-b" },
            );
        }
    }
    svg.text(
        (left + WIDTH - 24.0) / 2.0,
        height - 6.0,
        axis,
        Anchor::Middle,
        "axis-title",
    );
    svg.finish(label)
}

#[cfg(test)]
mod tests;
