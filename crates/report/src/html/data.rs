//! The page's data element: a [`Page`] goes in, one JSON object comes out, safe to put inside
//! `<script type="application/json">` (see the parent module for its fields). Passage offsets
//! go from the bytes of Rust strings to the UTF-16 code units of JS strings here, and nowhere
//! else.

use super::{ClusterView, Page};
use serde::Serialize;
use std::io::Write;
use std::ops::Range;

/// Write the data of `page`, its clusters in `order`, for the data element.
pub(super) fn write(
    page: &Page,
    order: &[&ClusterView],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let json = serde_json::to_string(&embedded(page, order)).map_err(std::io::Error::other)?;
    write_script_safe(&json, out)
}

#[derive(Serialize)]
struct Embedded<'a> {
    summary: SummaryOut<'a>,
    docs: Vec<DocOut<'a>>,
    clusters: Vec<ClusterOut<'a>>,
    pairs: Vec<PairOut<'a>>,
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    documents: usize,
    clusters: usize,
    duplicates_removed: usize,
    preset: &'a str,
    threshold: f64,
    bands: usize,
    rows: usize,
    params: &'a [(String, String)],
    seconds: Option<f64>,
}

#[derive(Serialize)]
struct DocOut<'a> {
    id: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct ClusterOut<'a> {
    id: usize,
    members: &'a [u32],
    similarity: Vec<f64>,
    evidence: &'a [Option<String>],
    pairs: &'a [usize],
}

#[derive(Serialize)]
struct PairOut<'a> {
    a: u32,
    b: u32,
    similarity: f64,
    evidence: &'a str,
    join: bool,
    passages: Vec<PassageOut>,
    terms: Vec<(&'a str, f64)>,
}

#[derive(Serialize)]
struct PassageOut {
    a: [usize; 2],
    b: [usize; 2],
    weight: f64,
    words: usize,
}

fn embedded<'a>(page: &'a Page, order: &[&'a ClusterView]) -> Embedded<'a> {
    let s = &page.summary;
    let text = |i: u32| page.docs.get(i as usize).map_or("", |d| d.text.as_str());
    Embedded {
        summary: SummaryOut {
            documents: s.documents,
            clusters: s.clusters,
            duplicates_removed: s.duplicates_removed,
            preset: &s.preset,
            threshold: s.threshold,
            bands: s.bands,
            rows: s.rows,
            params: &s.params,
            seconds: s.seconds,
        },
        docs: page
            .docs
            .iter()
            .map(|d| DocOut {
                id: &d.id,
                text: &d.text,
            })
            .collect(),
        clusters: order
            .iter()
            .map(|c| ClusterOut {
                id: c.id,
                members: &c.members,
                similarity: c.similarity.iter().map(|&x| crate::round4(x)).collect(),
                evidence: &c.evidence,
                pairs: &c.pairs,
            })
            .collect(),
        pairs: page
            .pairs
            .iter()
            .map(|p| {
                let a = utf16_ranges(text(p.a), p.passages.iter().map(|x| x.a.clone()));
                let b = utf16_ranges(text(p.b), p.passages.iter().map(|x| x.b.clone()));
                PairOut {
                    a: p.a,
                    b: p.b,
                    similarity: crate::round4(p.similarity),
                    evidence: &p.evidence,
                    join: p.join,
                    passages: p
                        .passages
                        .iter()
                        .zip(a.into_iter().zip(b))
                        .map(|(x, (a, b))| PassageOut {
                            a,
                            b,
                            weight: crate::round4(x.weight),
                            words: x.words,
                        })
                        .collect(),
                    terms: p
                        .terms
                        .iter()
                        .map(|(w, share)| (w.as_str(), crate::round4(*share)))
                        .collect(),
                }
            })
            .collect(),
    }
}

/// Byte ranges of `text` as `[start, end]` in UTF-16 code units. A bound past the end or
/// inside a char is taken to the char boundary at or before it, and a reversed range becomes
/// empty, so that a wrong range shows as a wrong highlight rather than a broken page.
fn utf16_ranges(text: &str, ranges: impl Iterator<Item = Range<usize>>) -> Vec<[usize; 2]> {
    let bytes: Vec<usize> = ranges.flat_map(|r| [r.start, r.end]).collect();
    let units = utf16_offsets(text, &bytes);
    units
        .chunks_exact(2)
        .map(|r| [r[0].min(r[1]), r[1]])
        .collect()
}

/// Each of `bytes` (in any order), a byte offset into `text`, as the UTF-16 code-unit offset
/// of the same place; offsets inside a char or past the end go to the boundary before them.
/// One pass over the text for all of them.
fn utf16_offsets(text: &str, bytes: &[usize]) -> Vec<usize> {
    if text.is_ascii() {
        return bytes.iter().map(|&b| b.min(text.len())).collect();
    }
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_by_key(|&i| bytes[i]);
    let mut out = vec![0; bytes.len()];
    let mut chars = text.char_indices().peekable();
    let mut units = 0;
    for i in order {
        while let Some(&(at, c)) = chars.peek() {
            if at + c.len_utf8() > bytes[i] {
                break;
            }
            units += c.len_utf16();
            chars.next();
        }
        out[i] = units;
    }
    out
}

/// Write `json` for a script element: `<` as `\u003c`, so that no `</script>` or `<!--` can
/// end or re-mode the element, and U+2028/U+2029 as escapes for any reader that takes the
/// data as JS source. `<` and those two occur only inside JSON strings, where the escapes
/// mean the same characters.
fn write_script_safe(json: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut start = 0;
    for (i, c) in json.char_indices() {
        let escape: &[u8] = match c {
            '<' => b"\\u003c",
            '\u{2028}' => b"\\u2028",
            '\u{2029}' => b"\\u2029",
            _ => continue,
        };
        out.write_all(&json.as_bytes()[start..i])?;
        out.write_all(escape)?;
        start = i + c.len_utf8();
    }
    out.write_all(&json.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_count_vietnamese_cjk_and_emoji() {
        // "ạ" is 3 UTF-8 bytes and 1 UTF-16 unit; "越" 3 and 1; "🎉" 4 and 2.
        let t = "Đại 越 🎉x";
        let x = t.find('x').unwrap();
        assert_eq!(x, 2 + 3 + 1 + 1 + 3 + 1 + 4);
        assert_eq!(utf16_offsets(t, &[x, 0, t.len()]), [8, 0, 9]);
        assert_eq!(utf16_offsets(t, &[t.find('🎉').unwrap()]), [6]);
        // Inside a char or past the end: the boundary before.
        assert_eq!(utf16_offsets(t, &[1, t.len() + 10]), [0, 9]);
        assert_eq!(utf16_offsets("abc", &[2, 9]), [2, 3]);
        assert_eq!(utf16_ranges(t, [2..x, x..2].into_iter()), [[1, 8], [1, 1]]);
    }
}
