//! The page's two charts as inline SVG: numbers go in, markup comes out. Colours come from the
//! page's CSS classes, so the charts follow its light or dark scheme. Coordinates are printed
//! with one decimal, so the same numbers always give the same bytes.

use std::fmt::Write;

/// Bins of the score histogram over 0..1.
const BINS: usize = 25;
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 36.0;

fn plot_w() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn plot_h() -> f64 {
    HEIGHT - TOP - BOTTOM
}

fn x_of(s: f64) -> f64 {
    LEFT + s.clamp(0.0, 1.0) * plot_w()
}

fn y_of(fraction: f64) -> f64 {
    TOP + (1.0 - fraction.clamp(0.0, 1.0)) * plot_h()
}

/// How many of `scores` fall in each of [`BINS`] equal bins of 0..1 (a score of 1 in the last;
/// scores outside 0..1 in the end bins; NaN nowhere).
pub(super) fn bin_counts(scores: &[f64]) -> [usize; BINS] {
    let mut counts = [0; BINS];
    for &s in scores.iter().filter(|s| !s.is_nan()) {
        let i = (s.clamp(0.0, 1.0) * BINS as f64) as usize;
        counts[i.min(BINS - 1)] += 1;
    }
    counts
}

/// `P(s) = 1 - (1 - s^rows)^bands`: the chance that a pair of similarity `s` shares at least
/// one band (Leskovec, Rajaraman, Ullman, *Mining of Massive Datasets*, §3.4.2).
pub(super) fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    let pow = |x: f64, n: usize| x.powi(i32::try_from(n).unwrap_or(i32::MAX));
    1.0 - pow(1.0 - pow(s, rows), bands)
}

fn open(out: &mut String, label: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">"#
    );
}

/// Axes with x ticks at 0, 0.2, .., 1 and the x label under them.
fn axes(out: &mut String, x_label: &str) {
    let (x0, y0) = (LEFT, TOP + plot_h());
    for i in 0..=5 {
        let s = i as f64 / 5.0;
        let x = x_of(s);
        let _ = write!(
            out,
            r#"<line class="axis" x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{:.1}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{s:.1}</text>"#,
            y0 + 4.0,
            y0 + 16.0
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{x0:.1}" y1="{y0:.1}" x2="{:.1}" y2="{y0:.1}"/><line class="axis" x1="{x0:.1}" y1="{TOP:.1}" x2="{x0:.1}" y2="{y0:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{x_label}</text>"#,
        LEFT + plot_w(),
        LEFT + plot_w() / 2.0,
        HEIGHT - 4.0
    );
}

/// A dashed vertical line at `threshold` with its value above the plot.
fn threshold_line(out: &mut String, threshold: f64) {
    if !threshold.is_finite() {
        return;
    }
    let x = x_of(threshold);
    // Keep the label inside the picture when the threshold sits at either end.
    let anchor = if threshold > 0.8 { "end" } else { "start" };
    let dx = if threshold > 0.8 { -4.0 } else { 4.0 };
    let _ = write!(
        out,
        r#"<line class="threshold" x1="{x:.1}" y1="{TOP:.1}" x2="{x:.1}" y2="{:.1}"/><text class="threshold-label" x="{:.1}" y="{:.1}" text-anchor="{anchor}">threshold {}</text>"#,
        TOP + plot_h(),
        x + dx,
        TOP + 10.0,
        super::number(threshold)
    );
}

/// The histogram of `scores` with `threshold` marked; bins from the threshold up are drawn in
/// the accent colour.
pub(super) fn histogram(scores: &[f64], threshold: f64) -> String {
    let counts = bin_counts(scores);
    let max = counts.iter().copied().max().unwrap_or(0);
    let mut out = String::new();
    open(&mut out, "Histogram of pair scores");
    let y_max = max.max(1) as f64;
    // Counts are whole: a half tick is drawn only when it is a whole number of its own.
    let fracs: &[f64] = if max >= 2 && max % 2 == 0 {
        &[0.5, 1.0]
    } else {
        &[1.0]
    };
    for &frac in fracs {
        let y = y_of(frac);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT + plot_w(),
            LEFT - 5.0,
            y + 4.0,
            ((frac * y_max).round() as usize)
        );
    }
    let bin_w = plot_w() / BINS as f64;
    for (i, &n) in counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let lo = i as f64 / BINS as f64;
        let hi = (i + 1) as f64 / BINS as f64;
        let h = n as f64 / y_max * plot_h();
        let class = if lo >= threshold { "bar over" } else { "bar" };
        let _ = write!(
            out,
            r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{lo:.2}–{hi:.2}: {n} pairs</title></rect>"#,
            LEFT + i as f64 * bin_w + 0.5,
            TOP + plot_h() - h,
            bin_w - 1.0
        );
    }
    if max == 0 {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">no scored pairs</text>"#,
            LEFT + plot_w() / 2.0,
            TOP + plot_h() / 2.0
        );
    }
    axes(&mut out, "pair score");
    threshold_line(&mut out, threshold);
    out.push_str("</svg>");
    out
}

/// The LSH S-curve for `bands` × `rows` with `threshold` marked, or `None` when the banding is
/// not known (either is 0).
pub(super) fn s_curve(bands: usize, rows: usize, threshold: f64) -> Option<String> {
    if bands == 0 || rows == 0 {
        return None;
    }
    let mut out = String::new();
    open(
        &mut out,
        "Chance that a pair becomes a candidate, by similarity",
    );
    for frac in [0.5, 1.0] {
        let y = y_of(frac);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{frac:.1}</text>"#,
            LEFT + plot_w(),
            LEFT - 5.0,
            y + 4.0
        );
    }
    out.push_str(r#"<polyline class="curve" points=""#);
    for i in 0..=200 {
        let s = i as f64 / 200.0;
        let p = candidate_probability(s, bands, rows);
        let sep = if i == 0 { "" } else { " " };
        let _ = write!(out, "{sep}{:.1},{:.1}", x_of(s), y_of(p));
    }
    out.push_str(r#""/>"#);
    axes(&mut out, "similarity s");
    threshold_line(&mut out, threshold);
    if threshold.is_finite() {
        let p = candidate_probability(threshold.clamp(0.0, 1.0), bands, rows);
        let _ = write!(
            out,
            r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="4"><title>P({}) = {p:.3}</title></circle>"#,
            x_of(threshold),
            y_of(p),
            super::number(threshold)
        );
    }
    out.push_str("</svg>");
    Some(out)
}

/// Where the S-curve crosses one half, `P(s) = 1/2` solved for `s`: the similarity the banding
/// separates at (close to the rule of thumb `(1/bands)^(1/rows)`, a little below it).
pub(super) fn half_point(bands: usize, rows: usize) -> f64 {
    (1.0 - 0.5f64.powf(1.0 / bands as f64)).powf(1.0 / rows as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_take_one_into_the_last_and_skip_nan() {
        let c = bin_counts(&[0.0, 0.039, 0.04, 1.0, 1.5, -0.2, f64::NAN]);
        assert_eq!(c[0], 3);
        assert_eq!(c[1], 1);
        assert_eq!(c[BINS - 1], 2);
        assert_eq!(c.iter().sum::<usize>(), 6);
    }

    #[test]
    fn s_curve_probability_matches_the_formula() {
        // 20 bands of 5 rows: P(0.5) = 1 - (1 - 1/32)^20.
        let p = candidate_probability(0.5, 20, 5);
        assert!((p - (1.0 - (31.0f64 / 32.0).powi(20))).abs() < 1e-12);
        assert_eq!(candidate_probability(0.0, 20, 5), 0.0);
        assert_eq!(candidate_probability(1.0, 20, 5), 1.0);
        let half = half_point(20, 5);
        assert!((candidate_probability(half, 20, 5) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn s_curve_is_skipped_without_banding() {
        assert!(s_curve(0, 5, 0.5).is_none());
        assert!(s_curve(20, 0, 0.5).is_none());
        let svg = s_curve(20, 5, 0.5).unwrap();
        assert!(svg.contains("<polyline") && svg.contains(r#"class="threshold""#));
    }

    #[test]
    fn histogram_draws_one_bar_per_filled_bin_and_the_threshold() {
        let svg = histogram(&[0.1, 0.1, 0.9], 0.5);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert_eq!(svg.matches(r#"class="bar over""#).count(), 1);
        assert!(svg.contains("threshold 0.5"));
        assert!(histogram(&[], 0.5).contains("no scored pairs"));
    }
}
