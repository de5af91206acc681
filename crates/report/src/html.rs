//! HTML report: one self-contained page (CSS, a little JS and SVG inline; no network fetch)
//! for an editor. The caller fills a [`Page`]: the documents' texts, the clusters, and the
//! pairs with their shared passages already found by the engine (`storyhash_core::explain`),
//! so that what the page highlights is what was scored.
//!
//! The summary and the charts are static HTML and SVG; the clusters, the singletons and the
//! side-by-side view are drawn by the page's script, a page at a time, from one JSON object in
//! `<script type="application/json" id="data">`, so that the file grows linearly with the input
//! (each text is embedded once, however many pairs it is in) and stays usable at 10,000
//! clusters. That object holds:
//! - `summary`: the [`Summary`] fields (`params` as `[name, value]` pairs);
//! - `docs`: `{id, text}` by input position;
//! - `clusters`: `{id, members, similarity, evidence, pairs}`, largest first (ties by `id`),
//!   singletons included;
//! - `pairs`: `{a, b, similarity, evidence, join, passages, terms}`, where each passage is
//!   `{a: [start, end], b: [start, end], weight, words}` in UTF-16 code units (what JS strings
//!   index), not the bytes of [`PassageView`], and `terms` are `[word, share]`.
//!
//! Every `<` in that JSON is written `\u003c` (and U+2028/U+2029 as escapes), so no text can
//! close or re-open the script element, and the JSON still parses as is. Scores are rounded to
//! 4 decimals. The same [`Page`] always gives the same bytes.

mod charts;
mod data;

use std::fmt::Write as _;
use std::io::Write;
use std::ops::Range;

/// Everything the page shows.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The run's summary.
    pub summary: Summary,
    /// Every document, by input position (the numbers `ClusterView::members` and
    /// `PairView::a`/`b` refer to).
    pub docs: Vec<DocView>,
    /// Every cluster (singletons included), in any order: the page lists them largest first
    /// (ties by `id`).
    pub clusters: Vec<ClusterView>,
    /// The pairs the page can show side by side.
    pub pairs: Vec<PairView>,
    /// The score of every verified pair, for the histogram.
    pub scores: Vec<f64>,
}

/// The run in numbers and settings.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Documents clustered.
    pub documents: usize,
    /// Clusters (singletons included).
    pub clusters: usize,
    /// Documents that are not their cluster's representative (what a dedup run removes).
    pub duplicates_removed: usize,
    /// The preset's name (`copy` or `story`).
    pub preset: String,
    /// The threshold of the score the histogram shows (the preset's).
    pub threshold: f64,
    /// The copy lane's LSH banding, for the S-curve: `1 - (1 - s^rows)^bands`.
    pub bands: usize,
    /// Rows per band.
    pub rows: usize,
    /// The threshold the banding is tuned to (the copy threshold), marked on the S-curve.
    pub lsh_threshold: f64,
    /// The settings to list, as (name, value) in order.
    pub params: Vec<(String, String)>,
    /// Wall time of the run in seconds, when known.
    pub seconds: Option<f64>,
}

/// One document.
#[derive(Debug, Clone, Default)]
pub struct DocView {
    /// Its id.
    pub id: String,
    /// Its text as the engine read it (passage offsets are byte offsets into it).
    pub text: String,
}

/// One cluster.
#[derive(Debug, Clone, Default)]
pub struct ClusterView {
    /// The cluster id (as in the JSONL output).
    pub id: usize,
    /// Its members, the representative first.
    pub members: Vec<u32>,
    /// Each member's score against the representative (1 for the representative).
    pub similarity: Vec<f64>,
    /// Each member's evidence against the representative (`exact`, `copy`, `story`,
    /// `contained`), or `None` when the pair alone does not reach the threshold (it joined
    /// through other members).
    pub evidence: Vec<Option<String>>,
    /// The pairs of this cluster the page can show (indices into `Page::pairs`): the joins
    /// first (the linkage path), then each member against the representative.
    pub pairs: Vec<usize>,
}

/// A pair of documents, explained.
#[derive(Debug, Clone, Default)]
pub struct PairView {
    /// The documents (input positions).
    pub a: u32,
    /// The other document.
    pub b: u32,
    /// Its score under the preset.
    pub similarity: f64,
    /// Its evidence (`exact`, `copy`, `story`, `contained`), or `none`.
    pub evidence: String,
    /// Whether this pair joined the cluster (part of the linkage path).
    pub join: bool,
    /// Shared passages, in the order of `a`'s text.
    pub passages: Vec<PassageView>,
    /// The top shared terms: (word, share of the story score, 0..1), heaviest first.
    pub terms: Vec<(String, f64)>,
}

/// One shared passage: byte ranges of the two documents' texts (on char boundaries).
#[derive(Debug, Clone, Default)]
pub struct PassageView {
    /// Its bytes in `a`'s text.
    pub a: Range<usize>,
    /// Its bytes in `b`'s text.
    pub b: Range<usize>,
    /// How rare its words are in the collection (sum of their IDF).
    pub weight: f64,
    /// Words matched.
    pub words: usize,
}

/// Write `page` as one HTML file.
pub fn write(page: &Page, out: &mut dyn Write) -> std::io::Result<()> {
    let order = display_order(&page.clusters);
    let mut head = String::with_capacity(48 * 1024);
    head_html(page, &order, &mut head);
    out.write_all(head.as_bytes())?;
    data::write(page, &order, out)?;
    out.write_all(b"</script>\n<script>\n")?;
    out.write_all(JS.as_bytes())?;
    out.write_all(b"</script>\n</body>\n</html>\n")
}

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// The clusters as the page lists them: largest first, ties by id.
fn display_order(clusters: &[ClusterView]) -> Vec<&ClusterView> {
    let mut order: Vec<&ClusterView> = clusters.iter().collect();
    order.sort_by(|x, y| y.members.len().cmp(&x.members.len()).then(x.id.cmp(&y.id)));
    order
}

/// A count as people read it: `12,345`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number as people read it: at most 4 decimals, no trailing zeros.
fn number(x: f64) -> String {
    format!("{}", crate::round4(x))
}

fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Everything before the JSON: the static summary and charts, the empty containers the script
/// fills, and the opening of the data element.
fn head_html(page: &Page, order: &[&ClusterView], out: &mut String) {
    let s = &page.summary;
    let singletons = order.iter().filter(|c| c.members.len() <= 1).count();
    let multi = order.len() - singletons;
    let preset = escaped(&s.preset);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <title>storyhash report: {} documents, {} clusters</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <header class=\"top\"><h1>storyhash report</h1><p>{} documents in {} clusters, preset \
         <b>{preset}</b></p></header>\n<main>\n",
        count(s.documents),
        count(s.clusters),
        count(s.documents),
        count(s.clusters)
    );

    out.push_str(
        "<section class=\"card\" id=\"summary\" aria-labelledby=\"summary-h\">\
         <h2 id=\"summary-h\">Summary</h2>\n<dl class=\"stats\">\n",
    );
    let mut stat = |key: &str, name: &str, value: &str| {
        let _ = writeln!(
            out,
            "<div><dt>{name}</dt><dd id=\"n-{key}\">{value}</dd></div>"
        );
    };
    stat("documents", "Documents", &count(s.documents));
    stat("clusters", "Clusters", &count(s.clusters));
    stat("multi", "Of two or more", &count(multi));
    stat("singletons", "Singletons", &count(singletons));
    stat(
        "duplicates",
        "Duplicates removed",
        &count(s.duplicates_removed),
    );
    stat("preset", "Preset", &preset);
    stat("threshold", "Threshold", &number(s.threshold));
    if let Some(t) = s.seconds {
        stat("seconds", "Time", &format!("{t:.2} s"));
    }
    out.push_str("</dl>\n");
    if !s.params.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"params\" open><summary>Parameters ({})</summary><table><tbody>",
            s.params.len()
        );
        for (name, value) in &s.params {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td></tr>",
                escaped(name),
                escaped(value)
            );
        }
        out.push_str("</tbody></table></details>\n");
    }
    out.push_str("</section>\n");

    let over = page.scores.iter().filter(|&&x| x >= s.threshold).count();
    let _ = write!(
        out,
        "<section class=\"card\" id=\"scores\" aria-labelledby=\"scores-h\">\
         <h2 id=\"scores-h\">Scores</h2>\n<div class=\"charts\">\n<figure id=\"histogram\">{}\
         <figcaption>{} scored pairs, {over} at or above the threshold {}.</figcaption></figure>\n",
        charts::histogram(&page.scores, s.threshold),
        count(page.scores.len()),
        number(s.threshold)
    );
    if let Some(svg) = charts::s_curve(s.bands, s.rows, s.lsh_threshold) {
        let p = charts::candidate_probability(s.lsh_threshold.clamp(0.0, 1.0), s.bands, s.rows);
        let _ = writeln!(
            out,
            "<figure id=\"s-curve\">{svg}<figcaption>The copy lane's LSH banding, {} bands × {} rows: \
             P(s) = 1 − (1 − s<sup>{}</sup>)<sup>{}</sup>. A pair of similarity {} becomes a \
             candidate with probability {p:.3}; the curve crosses ½ near s = {:.2}.\
             </figcaption></figure>",
            s.bands,
            s.rows,
            s.rows,
            s.bands,
            number(s.lsh_threshold),
            charts::half_point(s.bands, s.rows)
        );
    }
    out.push_str("</div>\n</section>\n");

    let _ = write!(
        out,
        "<section class=\"card\" id=\"clusters-sec\" aria-labelledby=\"clusters-h\">\
         <h2 id=\"clusters-h\">Clusters</h2>\n<div class=\"toolbar\" role=\"search\">\
         <label for=\"q\">Search</label><input id=\"q\" type=\"search\" \
         placeholder=\"Document id or words of its text\" autocomplete=\"off\" spellcheck=\"false\">\
         <span id=\"count\" aria-live=\"polite\"></span></div>\n\
         <noscript><p>The cluster list needs JavaScript; its data is the JSON in the script \
         element with id \"data\".</p></noscript>\n\
         <div id=\"clusters\"></div>\n<nav class=\"pager\" id=\"clusters-pager\" \
         aria-label=\"Cluster pages\"></nav>\n</section>\n\
         <section class=\"card\" id=\"singletons-sec\"><details id=\"singletons-box\"><summary>\
         <h2>Singletons ({})</h2></summary>\n<ol class=\"singletons\" id=\"singletons\"></ol>\n\
         <nav class=\"pager\" id=\"singletons-pager\" aria-label=\"Singleton pages\"></nav>\n\
         </details></section>\n</main>\n\
         <dialog id=\"pair\" aria-labelledby=\"pair-title\">\n<div class=\"pair-head\">\
         <div class=\"title\"><h2 id=\"pair-title\"></h2><div class=\"meta\" id=\"pair-meta\"></div></div>\
         <div class=\"nav\"><button id=\"pair-prev\" type=\"button\" aria-label=\"Previous passage\">‹</button>\
         <span id=\"pair-pos\"></span><button id=\"pair-next\" type=\"button\" \
         aria-label=\"Next passage\">›</button></div>\
         <button id=\"pair-close\" type=\"button\" aria-label=\"Close\">×</button></div>\n\
         <div class=\"terms\" id=\"pair-terms\"></div>\n<div class=\"sides\">\
         <section class=\"side\" id=\"side-a\"><h3></h3><div class=\"text\" tabindex=\"0\"></div></section>\
         <section class=\"side\" id=\"side-b\"><h3></h3><div class=\"text\" tabindex=\"0\"></div></section>\
         </div>\n</dialog>\n<script type=\"application/json\" id=\"data\">",
        count(singletons)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(page: &Page) -> String {
        let mut out = Vec::new();
        write(page, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The embedded JSON, read back the way the page's script reads it.
    fn data(html: &str) -> serde_json::Value {
        let open = r#"<script type="application/json" id="data">"#;
        let start = html.find(open).expect("data element") + open.len();
        let len = html[start..]
            .find("</script>")
            .expect("end of data element");
        serde_json::from_str(&html[start..start + len]).expect("data is JSON")
    }

    fn at(text: &str, needle: &str) -> Range<usize> {
        let i = text.find(needle).expect(needle);
        i..i + needle.len()
    }

    fn doc(id: &str, text: &str) -> DocView {
        DocView {
            id: id.into(),
            text: text.into(),
        }
    }

    fn cluster(id: usize, members: &[u32], pairs: &[usize]) -> ClusterView {
        ClusterView {
            id,
            members: members.to_vec(),
            similarity: (0..members.len()).map(|k| 1.0 - k as f64 / 100.0).collect(),
            evidence: members
                .iter()
                .enumerate()
                .map(|(k, _)| (k < 2).then(|| "copy".to_string()))
                .collect(),
            pairs: pairs.to_vec(),
        }
    }

    const VI: &str = "Hà Nội: Đại sứ Đinh Toàn Thắng nói thương mại đạt 5,4 tỷ USD.";
    const CJK: &str = "🇻🇳 越南 Đại sứ Thắng 🎉: thương mại đạt 5,4 tỷ USD, 河内.";

    /// Three clusters given out of order (sizes 2, 3, 2), two singletons, non-ASCII texts.
    fn sample() -> Page {
        let docs = vec![
            doc("rep-a", VI),
            doc("copy-b", CJK),
            doc("chain-c", "Đại sứ Thắng 🎉 said trade grew."),
            doc("solo-x", "An unrelated story about rice."),
            doc("solo-y", "Another unrelated story."),
            doc("pair-p", "Flooding in Hue."),
            doc("pair-q", "Flooding in Hue, again."),
            doc("pair-r", "Typhoon warning."),
            doc("pair-s", "Typhoon warning issued."),
        ];
        let passage = |a: &str, b: &str, na: &str, nb: &str| PassageView {
            a: at(a, na),
            b: at(b, nb),
            weight: 12.5,
            words: 3,
        };
        let pairs = vec![
            PairView {
                a: 0,
                b: 1,
                similarity: 0.812_345,
                evidence: "story".into(),
                join: true,
                passages: vec![
                    passage(VI, CJK, "Đại sứ", "Đại sứ"),
                    passage(VI, CJK, "5,4 tỷ USD", "5,4 tỷ USD"),
                ],
                terms: vec![("thắng".into(), 0.25), ("usd".into(), 0.125)],
            },
            PairView {
                a: 1,
                b: 2,
                similarity: 0.5,
                evidence: "story".into(),
                join: true,
                passages: vec![passage(CJK, docs[2].text.as_str(), "Thắng 🎉", "Thắng 🎉")],
                terms: vec![],
            },
        ];
        Page {
            summary: Summary {
                documents: 9,
                clusters: 5,
                duplicates_removed: 4,
                preset: "story".into(),
                threshold: 0.35,
                bands: 20,
                rows: 5,
                lsh_threshold: 0.8,
                params: vec![("shingle".into(), "word 5 <w>".into())],
                seconds: Some(1.5),
            },
            clusters: vec![
                cluster(4, &[7, 8], &[]),
                cluster(0, &[0, 1, 2], &[0, 1]),
                cluster(1, &[3], &[]),
                cluster(3, &[5, 6], &[]),
                cluster(2, &[4], &[]),
            ],
            docs,
            pairs,
            scores: vec![0.812_345, 0.5, 0.1, 0.2],
        }
    }

    #[test]
    fn summary_shows_the_run_in_numbers() {
        let html = render(&sample());
        for needle in [
            r#"id="n-documents">9<"#,
            r#"id="n-clusters">5<"#,
            r#"id="n-duplicates">4<"#,
            r#"id="n-multi">3<"#,
            r#"id="n-singletons">2<"#,
            r#"id="n-preset">story<"#,
            r#"id="n-threshold">0.35<"#,
            r#"id="n-seconds">1.50 s<"#,
            "<td>shingle</td><td><code>word 5 &lt;w&gt;</code></td>",
            "Singletons (2)",
            "9 documents in 5 clusters",
            r#"id="histogram""#,
            r#"id="s-curve""#,
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn clusters_are_embedded_largest_first_ties_by_id() {
        let d = data(&render(&sample()));
        let ids: Vec<u64> = d["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, [0, 3, 4, 1, 2]);
        assert_eq!(d["clusters"][0]["members"], serde_json::json!([0, 1, 2]));
        assert_eq!(d["clusters"][0]["evidence"][2], serde_json::Value::Null);
        assert_eq!(d["clusters"][3]["members"], serde_json::json!([3]));
        assert_eq!(d["docs"][3]["id"], "solo-x");
    }

    #[test]
    fn embedded_offsets_slice_the_passages_in_utf16() {
        let page = sample();
        let d = data(&render(&page));
        for (p, pj) in page.pairs.iter().zip(d["pairs"].as_array().unwrap()) {
            for (side, doc) in [("a", p.a), ("b", p.b)] {
                let units: Vec<u16> = d["docs"][doc as usize]["text"]
                    .as_str()
                    .unwrap()
                    .encode_utf16()
                    .collect();
                for (x, xj) in p.passages.iter().zip(pj["passages"].as_array().unwrap()) {
                    let range = if side == "a" { &x.a } else { &x.b };
                    let want = &page.docs[doc as usize].text[range.clone()];
                    let (s, e) = (
                        xj[side][0].as_u64().unwrap() as usize,
                        xj[side][1].as_u64().unwrap() as usize,
                    );
                    assert_eq!(String::from_utf16(&units[s..e]).unwrap(), want);
                }
            }
        }
        assert_eq!(d["pairs"][0]["similarity"], 0.8123);
        assert_eq!(
            d["pairs"][0]["terms"][0],
            serde_json::json!(["thắng", 0.25])
        );
    }

    #[test]
    fn markup_in_texts_and_ids_stays_inert() {
        let evil = "x</script><script>alert(1)</script><!--<script> y \u{2028}\u{2029}";
        let mut page = sample();
        page.docs[3] = doc("<b>id</b></script>", evil);
        let html = render(&page);
        // Only the page's own two script elements open and close.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("</script>").count(), 2);
        assert!(!html.contains("<!--"));
        assert!(!html.contains('\u{2028}') && !html.contains('\u{2029}'));
        let d = data(&html);
        assert_eq!(d["docs"][3]["text"], evil);
        assert_eq!(d["docs"][3]["id"], "<b>id</b></script>");
    }

    #[test]
    fn the_page_fetches_nothing() {
        let html = render(&sample());
        for needle in [
            "http:", "https:", "src=", "href=", "url(", "@import", "<link",
        ] {
            assert!(!html.contains(needle), "found {needle}");
        }
        assert!(html.contains("default-src 'none'"));
    }

    #[test]
    fn s_curve_is_left_out_without_banding() {
        let mut page = sample();
        page.summary.bands = 0;
        let html = render(&page);
        assert!(!html.contains(r#"id="s-curve""#));
        assert!(html.contains(r#"id="histogram""#));
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn same_page_gives_the_same_bytes() {
        let page = sample();
        assert_eq!(render(&page), render(&page));
    }

    /// `n` clusters of three documents with two explained pairs each, all alike.
    fn shaped(n: usize) -> Page {
        let text = "Bilateral trade in 2024 recorded an impressive 11% increase, reaching over \
                    5.4 billion USD, the ambassador said, adding that both sides plan more.";
        let mut page = Page {
            summary: Summary {
                documents: 3 * n,
                clusters: n,
                preset: "story".into(),
                threshold: 0.3,
                bands: 20,
                rows: 5,
                lsh_threshold: 0.8,
                ..Summary::default()
            },
            ..Page::default()
        };
        for c in 0..n {
            let m = 3 * c as u32;
            for k in 0..3 {
                page.docs.push(doc(&format!("doc-{c:06}-{k}"), text));
            }
            for (a, b) in [(m, m + 1), (m + 1, m + 2)] {
                page.pairs.push(PairView {
                    a,
                    b,
                    similarity: 0.75,
                    evidence: "copy".into(),
                    join: true,
                    passages: vec![PassageView {
                        a: 10..40,
                        b: 10..40,
                        weight: 3.0,
                        words: 5,
                    }],
                    terms: vec![("trade".into(), 0.2)],
                });
                page.scores.push(0.75);
            }
            page.clusters
                .push(cluster(c, &[m, m + 1, m + 2], &[2 * c, 2 * c + 1]));
        }
        page
    }

    #[test]
    fn size_grows_linearly_with_clusters() {
        let size = |n| render(&shaped(n)).len() as f64;
        let fixed = size(0);
        let per = |n: usize| (size(n) - fixed) / n as f64;
        let (small, large) = (per(100), per(1000));
        assert!(
            (large / small - 1.0).abs() < 0.1,
            "{small:.0} vs {large:.0} bytes per cluster"
        );
    }

    #[test]
    fn each_text_is_embedded_once_however_many_pairs_it_is_in() {
        let long = "The representative's long text. ".repeat(2000);
        let mut page = Page::default();
        page.docs.push(doc("rep", &long));
        let mut members = vec![0];
        for i in 1..100u32 {
            page.docs.push(doc(&format!("m{i}"), "short"));
            page.pairs.push(PairView {
                a: 0,
                b: i,
                passages: vec![PassageView {
                    a: 0..10,
                    b: 0..5,
                    ..PassageView::default()
                }],
                ..PairView::default()
            });
            members.push(i);
        }
        page.clusters
            .push(cluster(0, &members, &(0..99).collect::<Vec<_>>()));
        let html = render(&page);
        assert_eq!(
            html.matches("The representative's long text.").count(),
            2000
        );
        assert!(html.len() < long.len() + 100_000, "{} bytes", html.len());
    }

    /// Writes a page of 10,000 clusters shaped as in [`shaped`] to `$STORYHASH_REPORT_OUT`
    /// (default: report-large.html in the temporary directory), to try the page at scale:
    /// `cargo test -p storyhash-report -- --ignored large_page --nocapture`.
    #[test]
    #[ignore]
    fn large_page() {
        let (n, fixed) = (10_000, render(&shaped(0)).len());
        let html = render(&shaped(n));
        let out = std::env::var_os("STORYHASH_REPORT_OUT")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("report-large.html"));
        std::fs::write(&out, &html).unwrap();
        eprintln!(
            "wrote {}: {} bytes, {} fixed, {:.0} per cluster of 3 documents",
            out.display(),
            html.len(),
            fixed,
            (html.len() - fixed) as f64 / n as f64
        );
    }

    /// Words of `t` with their byte ranges, lowercased and stripped of end punctuation.
    fn words(t: &str) -> Vec<(Range<usize>, String)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in t.char_indices().chain([(t.len(), ' ')]) {
            if !c.is_whitespace() {
                start.get_or_insert(i);
            } else if let Some(s) = start.take() {
                let w = t[s..i].trim_matches(|c: char| !c.is_alphanumeric());
                out.push((s..i, w.to_lowercase()));
            }
        }
        out
    }

    /// Runs of at least `min` equal words, in the order of `a`: a stand-in for the engine's
    /// passages, good enough to look at the page.
    fn shared_runs(a: &str, b: &str, min: usize) -> Vec<PassageView> {
        let (wa, wb) = (words(a), words(b));
        let key = |w: &[(Range<usize>, String)]| {
            w.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join(" ")
        };
        let mut first = std::collections::BTreeMap::new();
        for j in 0..wb.len().saturating_sub(min - 1) {
            first.entry(key(&wb[j..j + min])).or_insert(j);
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i + min <= wa.len() {
            let Some(&j) = first.get(&key(&wa[i..i + min])) else {
                i += 1;
                continue;
            };
            let mut len = min;
            while i + len < wa.len() && j + len < wb.len() && wa[i + len].1 == wb[j + len].1 {
                len += 1;
            }
            out.push(PassageView {
                a: wa[i].0.start..wa[i + len - 1].0.end,
                b: wb[j].0.start..wb[j + len - 1].0.end,
                weight: len as f64 * 2.5,
                words: len,
            });
            i += len;
        }
        out
    }

    /// Writes the reference case (fixtures/seeds/seed_case.jsonl) as a page, with a chain of
    /// three, a document full of markup and passages found by [`shared_runs`], to
    /// `$STORYHASH_REPORT_OUT` (default: report.html in the temporary directory), for the
    /// browser test: `cargo test -p storyhash-report -- --ignored reference_case_page`.
    #[test]
    #[ignore]
    fn reference_case_page() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/seeds/seed_case.jsonl"
        );
        let mut docs: Vec<DocView> = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                doc(v["id"].as_str().unwrap(), v["text"].as_str().unwrap())
            })
            .collect();
        let chain = [
            "Hà Nội 🌧️ — Mưa lớn kéo dài khiến nhiều tuyến phố ngập sâu. Heavy rain flooded \
             many streets in Hanoi on Monday, the city said.",
            "Heavy rain flooded many streets in Hanoi on Monday, the city said. Schools \
             closed early and 12 flights were delayed at Noi Bai 🛫.",
            "Schools closed early and 12 flights were delayed at Noi Bai 🛫. Tàu điện Cát \
             Linh – Hà Đông vẫn chạy bình thường. 河内 暴雨.",
        ];
        let first_chain = docs.len() as u32;
        for (k, t) in chain.iter().enumerate() {
            docs.push(doc(&format!("chain-hanoi-{}", k + 1), t));
        }
        docs.push(doc(
            "markup <b>test</b>",
            "</script><script>alert(1)</script><!--<script> <img src=x onerror=alert(2)>",
        ));

        let (a, b) = (&docs[0].text, &docs[1].text);
        let mut passages = shared_runs(a, b, 4);
        let money = "5.4 billion USD";
        if !passages.iter().any(|p| a[p.a.clone()].contains(money)) {
            passages.push(PassageView {
                a: at(a, money),
                b: at(b, money),
                weight: 9.0,
                words: 3,
            });
            passages.sort_by_key(|p| p.a.start);
        }
        let c = |k: u32| docs[(first_chain + k) as usize].text.as_str();
        let run = |x: &str, y: &str| shared_runs(x, y, 4);
        let pair = |a, b, similarity, join, passages| PairView {
            a,
            b,
            similarity,
            evidence: if join { "story" } else { "none" }.into(),
            join,
            passages,
            terms: vec![],
        };
        let mut pairs = vec![
            pair(0, 1, 0.4123, true, passages),
            pair(first_chain, first_chain + 1, 0.61, true, run(c(0), c(1))),
            pair(
                first_chain + 1,
                first_chain + 2,
                0.58,
                true,
                run(c(1), c(2)),
            ),
            pair(first_chain, first_chain + 2, 0.08, false, vec![]),
        ];
        pairs[0].terms = [
            ("sanofi", 0.081),
            ("vnvc", 0.074),
            ("decentralized", 0.052),
            ("thang", 0.047),
            ("billion", 0.031),
        ]
        .iter()
        .map(|&(w, s)| (w.to_string(), s))
        .collect();

        let mut clusters = vec![
            ClusterView {
                id: 0,
                members: vec![0, 1],
                similarity: vec![1.0, 0.4123],
                evidence: vec![Some("exact".into()), Some("story".into())],
                pairs: vec![0],
            },
            ClusterView {
                id: 1,
                members: (first_chain..first_chain + 3).collect(),
                similarity: vec![1.0, 0.61, 0.08],
                evidence: vec![Some("exact".into()), Some("copy".into()), None],
                pairs: vec![1, 2, 3],
            },
        ];
        for m in (2..first_chain).chain([first_chain + 3]) {
            clusters.push(ClusterView {
                id: clusters.len(),
                members: vec![m],
                similarity: vec![1.0],
                evidence: vec![Some("exact".into())],
                pairs: vec![],
            });
        }
        // A spread of scores that looks like a run's: many low, a few high.
        let scores = (0..400u64)
            .map(|i| {
                let x = (i.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0;
                x * x * 0.7
            })
            .chain([0.4123, 0.61, 0.58, 0.08])
            .collect();
        let page = Page {
            summary: Summary {
                documents: docs.len(),
                clusters: clusters.len(),
                duplicates_removed: 3,
                preset: "story".into(),
                threshold: 0.25,
                bands: 20,
                rows: 5,
                lsh_threshold: 0.8,
                params: [
                    ("shingles", "word 5-grams"),
                    ("sketch", "MinHash, 100 permutations"),
                    ("lsh", "20 bands × 5 rows"),
                    ("linkage", "single"),
                    ("story terms", "IDF-weighted words, top 64"),
                ]
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect(),
                seconds: Some(0.42),
            },
            docs,
            clusters,
            pairs,
            scores,
        };
        let out = std::env::var_os("STORYHASH_REPORT_OUT")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("report.html"));
        let mut f = std::fs::File::create(&out).unwrap();
        write(&page, &mut f).unwrap();
        eprintln!("wrote {}", out.display());
    }
}
