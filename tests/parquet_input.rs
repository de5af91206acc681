//! Parquet input: `cluster` over a Parquet file, or a directory of part files, gives the
//! bytes it gives over the same records as JSONL; a null text or a missing column is an error
//! naming the file and row or the columns there are. Records are a `storyhash synth` corpus
//! (synthetic edits of the bundled reference case's real sentences), written with snappy as
//! Spark and pyarrow write by default.

use crate::common::{assert_success, storyhash, synth_corpus};
use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

struct Rec {
    id: String,
    text: Option<String>,
    title: Option<String>,
}

fn records(dir: &Path, docs: u64) -> Vec<Rec> {
    let out = synth_corpus(dir, docs, 3);
    std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Rec {
                id: v["id"].as_str().unwrap().to_owned(),
                text: Some(v["text"].as_str().unwrap().to_owned()),
                // Every third record has a headline apart from its text.
                title: (i % 3 == 0).then(|| format!("Headline {}", i / 3)),
            }
        })
        .collect()
}

/// The records as JSONL, with integer ids (`i` + 1000) when `integer_ids`.
fn write_jsonl(path: &Path, recs: &[Rec], integer_ids: bool) {
    let mut s = String::new();
    for (i, r) in recs.iter().enumerate() {
        let mut v = serde_json::json!({"body": r.text, "published": 1_700_000_000 + i as i64 * 60});
        v["id"] = if integer_ids {
            (1000 + i as i64).into()
        } else {
            r.id.clone().into()
        };
        if let Some(t) = &r.title {
            v["headline"] = t.clone().into();
        }
        s.push_str(&v.to_string());
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

/// The records as Parquet, `per_file` rows a file (a directory of parts when there are more).
fn write_parquet(path: &Path, recs: &[Rec], integer_ids: bool, offset: usize) {
    let ids: ArrayRef = if integer_ids {
        Arc::new(Int64Array::from_iter_values(
            (0..recs.len()).map(|i| 1000 + (offset + i) as i64),
        ))
    } else {
        Arc::new(StringArray::from_iter_values(
            recs.iter().map(|r| r.id.as_str()),
        ))
    };
    let body: ArrayRef = Arc::new(StringArray::from_iter(
        recs.iter().map(|r| r.text.as_deref()),
    ));
    let title: ArrayRef = Arc::new(StringArray::from_iter(
        recs.iter().map(|r| r.title.as_deref()),
    ));
    let time: ArrayRef = Arc::new(TimestampMillisecondArray::from_iter_values(
        (0..recs.len()).map(|i| (1_700_000_000 + (offset + i) as i64 * 60) * 1000),
    ));
    let rb = RecordBatch::try_from_iter([
        ("id", ids),
        ("body", body),
        ("headline", title),
        ("published", time),
    ])
    .unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(path).unwrap(),
        rb.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&rb).unwrap();
    w.close().unwrap();
}

fn cluster(input: &Path, extra: &[&str]) -> std::process::Output {
    storyhash()
        .arg("cluster")
        .arg(input)
        .args([
            "--text-field",
            "body",
            "--title-field",
            "headline",
            "--format",
            "jsonl",
            "-q",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_parquet_input_clusters_as_the_same_records_in_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let recs = records(dir.path(), 240);
    for integer_ids in [false, true] {
        let (jsonl, parquet) = (dir.path().join("in.jsonl"), dir.path().join("in.parquet"));
        write_jsonl(&jsonl, &recs, integer_ids);
        write_parquet(&parquet, &recs, integer_ids, 0);
        // A dataset directory: three parts, read in name order.
        let parts = dir.path().join(format!("parts-{integer_ids}.parquet"));
        std::fs::create_dir_all(&parts).unwrap();
        for (k, chunk) in recs.chunks(100).enumerate() {
            write_parquet(
                &parts.join(format!("part-{k:05}.parquet")),
                chunk,
                integer_ids,
                k * 100,
            );
        }
        std::fs::write(parts.join("_SUCCESS"), "").unwrap();
        for preset in ["story", "copy"] {
            let extra = [
                "--preset",
                preset,
                "--keep-fields",
                "published",
                "--pairs",
                "all",
            ];
            let want = cluster(&jsonl, &extra);
            assert_success(&want);
            assert!(String::from_utf8_lossy(&want.stdout).contains("\"size\":2"));
            for input in [&parquet, &parts] {
                let got = cluster(input, &extra);
                assert_success(&got);
                assert_eq!(
                    String::from_utf8_lossy(&got.stdout),
                    String::from_utf8_lossy(&want.stdout),
                    "{preset}, integer ids {integer_ids}, {}",
                    input.display()
                );
            }
        }
    }
}

#[test]
fn a_null_text_or_a_missing_column_is_an_error_at_its_file_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut recs = records(dir.path(), 20);
    recs[6].text = None;
    let p = dir.path().join("in.parquet");
    write_parquet(&p, &recs, false, 0);
    let o = cluster(&p, &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("in.parquet:7") && e.contains("the text is null"),
        "{e}"
    );
    // With --skip-bad, that row is skipped and counted (exit 3), the others clustered.
    let o = cluster(&p, &["--skip-bad"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = storyhash()
        .arg("cluster")
        .arg(&p)
        .args(["--text-field", "content"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        e.contains("no column \"content\"")
            && e.contains("--text-field")
            && e.contains("id, body, headline, published"),
        "{e}"
    );
    // A subset is not written for Parquet: refused before any work.
    let o = cluster(
        &p,
        &[
            "--dedup-out",
            dir.path().join("d.parquet").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is Parquet"));
}
