//! Stage files against what they were made from. Texts are the bundled reference case's
//! (`fixtures/seeds/`).

use super::*;
use crate::signed::{read_signed, schema, SignedWriter};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use std::path::PathBuf;
use std::sync::Arc;
use storyhash_core::score::Preset;
use storyhash_core::{Article, CollectionBuilder};

/// The reference case, plus an exact copy and a trimmed copy of its first article (so that
/// the copy preset has pairs too).
fn seed_articles() -> Vec<Article> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/seeds/seed_case.jsonl"
    );
    let mut out: Vec<Article> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Article::new(v["id"].as_str().unwrap(), v["text"].as_str().unwrap())
        })
        .collect();
    let first = out[0].text.clone();
    let words: Vec<&str> = first.split(' ').collect();
    out.push(Article::new("exact-copy", first.clone()));
    out.push(Article::new(
        "lead-copy",
        words[..words.len() * 3 / 5].join(" "),
    ));
    out
}

fn write(dir: &Path, name: &str, cfg: &EngineConfig, articles: Vec<Article>) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut w = SignedWriter::new(file, &path, cfg).unwrap();
    let b = CollectionBuilder::new(cfg.clone());
    w.write(&b.sign(articles), &[]).unwrap();
    w.finish().unwrap();
    path
}

#[test]
fn signed_documents_read_back_as_they_were_signed() {
    let dir = tempfile::tempdir().unwrap();
    for preset in [Preset::Story, Preset::Copy] {
        let cfg = EngineConfig::for_preset(preset);
        let path = write(dir.path(), "s.parquet", &cfg, seed_articles());
        let signed = read_signed(std::slice::from_ref(&path)).unwrap();
        assert_eq!(signed.cfg.to_json(), cfg.to_json());
        // The batch read back clusters as the batch signed in memory does.
        let mut direct = CollectionBuilder::new(cfg.clone());
        direct.add_batch(seed_articles());
        let (a, b) = (direct.finish().unwrap(), signed.builder.finish().unwrap());
        let (ra, rb) = (a.cluster().unwrap(), b.cluster().unwrap());
        assert_eq!(a.docs.ids(), b.docs.ids());
        assert_eq!(a.candidates().unwrap(), b.candidates().unwrap());
        let key = |r: &storyhash_core::ClusterRun| {
            r.pairs
                .iter()
                .map(|p| (p.a, p.b, p.similarity.to_bits(), p.evidence.name()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&ra), key(&rb), "{preset:?}");
        assert!(
            !ra.pairs.is_empty(),
            "{preset:?}: the case has pairs to compare"
        );
    }
}

#[test]
fn a_changed_row_is_refused_by_its_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = EngineConfig::for_preset(Preset::Copy);
    let path = write(dir.path(), "s.parquet", &cfg, seed_articles());
    // Copy the file with its metadata, one signature value changed.
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
    let kv = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .cloned()
        .unwrap();
    let batches: Vec<arrow_array::RecordBatch> =
        reader.build().unwrap().map(|b| b.unwrap()).collect();
    let changed = dir.path().join("changed.parquet");
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(&changed).unwrap(), schema(), None).unwrap();
    for (i, rb) in batches.iter().enumerate() {
        let mut cols = rb.columns().to_vec();
        if i == 0 {
            let sig = rb.column_by_name("signature").unwrap();
            let list = arrow_array::cast::AsArray::as_list::<i32>(sig);
            let mut values: Vec<i32> = arrow_array::cast::AsArray::as_primitive::<
                arrow_array::types::Int32Type,
            >(list.values())
            .values()
            .to_vec();
            values[3] ^= 1;
            let values = arrow_array::Int32Array::from(values);
            let field = Arc::new(arrow_schema::Field::new(
                "item",
                arrow_schema::DataType::Int32,
                true,
            ));
            let list =
                arrow_array::ListArray::new(field, list.offsets().clone(), Arc::new(values), None);
            let at = rb.schema().index_of("signature").unwrap();
            cols[at] = Arc::new(list);
        }
        w.write(&arrow_array::RecordBatch::try_new(schema(), cols).unwrap())
            .unwrap();
    }
    for e in kv {
        w.append_key_value_metadata(e);
    }
    w.close().unwrap();
    // The untouched copy reads; the changed one is refused.
    assert!(read_signed(&[path]).is_ok());
    let e = read_signed(&[changed]).err().expect("refused").to_string();
    assert!(e.contains("changed after it was written"), "{e}");
}

#[test]
fn the_first_differing_setting_is_named_by_its_path() {
    let a = serde_json::json!({"copy": {"bands": 16, "rows": 8}, "preset": "story"});
    let b = serde_json::json!({"copy": {"bands": 16, "rows": 4}, "preset": "story"});
    assert_eq!(
        first_difference(&a, &b, String::new()).as_deref(),
        Some("copy.rows: 8 vs 4")
    );
    assert_eq!(first_difference(&a, &a, String::new()), None);
}
