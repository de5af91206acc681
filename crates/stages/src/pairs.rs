//! The pair stages: candidate pairs, then verified pairs, by the positions of their two
//! documents in the signed files (in the order the files were given).
//!
//! | file | columns |
//! |---|---|
//! | candidates | `a`, `b` (int64, `a < b`) |
//! | verified | `a`, `b` (int64, `a < b`, sorted, unique), `similarity` (float64: the preset's score), `evidence` (string: `exact`, `copy`, `contained`, `story`), `contained` (int64, null: for `contained`, the position of the trimmed copy) |

use crate::signed::Signed;
use crate::{parquet_error, read_header, stage_error, Header, Stage};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use storyhash_core::candidates::CandidatePair;
use storyhash_core::cluster::ScoredPair;
use storyhash_core::pipeline::FeatureRecipe;
use storyhash_core::score::Evidence;
use storyhash_core::{Error, Result};

const BATCH: usize = 65_536;

/// The schema of a candidates file.
pub fn candidates_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
    ]))
}

/// The schema of a verified file.
pub fn verified_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
        Field::new("similarity", DataType::Float64, false),
        Field::new("evidence", DataType::Utf8, false),
        Field::new("contained", DataType::Int64, true),
    ]))
}

fn header(signed: &Signed, stage: Stage, candidates: Option<u64>) -> Header {
    Header {
        stage,
        format_version: crate::FORMAT_VERSION,
        recipe: FeatureRecipe::of(&signed.cfg),
        docs: signed.integer_ids.len() as u64,
        signed: signed.fingerprints.clone(),
        candidates,
    }
}

fn write_batches<W: Write + Send>(
    out: W,
    path: &Path,
    schema: SchemaRef,
    header: &Header,
    signed: &Signed,
    n: usize,
    batch: impl Fn(std::ops::Range<usize>) -> Vec<ArrayRef>,
) -> Result<()> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("level 1")))
        .set_max_row_group_row_count(Some(crate::ROW_GROUP * 16))
        .build();
    let mut w = ArrowWriter::try_new(out, schema.clone(), Some(props))
        .map_err(|e| parquet_error(path, e))?;
    for start in (0..n).step_by(BATCH) {
        let cols = batch(start..(start + BATCH).min(n));
        let rb = RecordBatch::try_new(schema.clone(), cols).expect("the columns match the schema");
        w.write(&rb).map_err(|e| parquet_error(path, e))?;
    }
    for kv in header.metadata(&signed.cfg) {
        w.append_key_value_metadata(kv);
    }
    w.close().map_err(|e| parquet_error(path, e))?;
    Ok(())
}

/// Write the candidate pairs of the documents of `signed`.
pub fn write_candidates<W: Write + Send>(
    out: W,
    path: &Path,
    signed: &Signed,
    pairs: &[CandidatePair],
) -> Result<()> {
    let h = header(signed, Stage::Candidates, None);
    write_batches(
        out,
        path,
        candidates_schema(),
        &h,
        signed,
        pairs.len(),
        |r| {
            let p = &pairs[r];
            vec![
                Arc::new(Int64Array::from_iter_values(
                    p.iter().map(|x| i64::from(x.0)),
                )),
                Arc::new(Int64Array::from_iter_values(
                    p.iter().map(|x| i64::from(x.1)),
                )),
            ]
        },
    )
}

/// Write the verified pairs of the documents of `signed`, found among `candidates` pairs.
pub fn write_verified<W: Write + Send>(
    out: W,
    path: &Path,
    signed: &Signed,
    candidates: u64,
    pairs: &[ScoredPair],
) -> Result<()> {
    let h = header(signed, Stage::Verified, Some(candidates));
    write_batches(out, path, verified_schema(), &h, signed, pairs.len(), |r| {
        verified_batch(&pairs[r]).columns().to_vec()
    })
}

/// Verified pairs as a batch of [`verified_schema`] (in the order given).
pub fn verified_batch(pairs: &[ScoredPair]) -> RecordBatch {
    let contained = pairs.iter().map(|x| match x.evidence {
        Evidence::Contained { first } => Some(i64::from(if first { x.a } else { x.b })),
        _ => None,
    });
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(
            pairs.iter().map(|x| i64::from(x.a)),
        )),
        Arc::new(Int64Array::from_iter_values(
            pairs.iter().map(|x| i64::from(x.b)),
        )),
        Arc::new(Float64Array::from_iter_values(
            pairs.iter().map(|x| x.similarity),
        )),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|x| x.evidence.name()),
        )),
        Arc::new(Int64Array::from_iter(contained)),
    ];
    RecordBatch::try_new(verified_schema(), columns).expect("the columns match the schema")
}

/// Open a pair file of `stage`, check that it indexes the documents of `signed` (the same
/// signed files, in the same order, under the same config), and hand each record batch to
/// `each`; the header.
fn read_pairs(
    path: &Path,
    signed: &Signed,
    stage: Stage,
    mut each: impl FnMut(&RecordBatch) -> Result<()>,
) -> Result<Header> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| stage_error(path, format!("not a readable Parquet file ({e})")))?;
    let (header, cfg) = read_header(
        path,
        reader.metadata().file_metadata().key_value_metadata(),
        stage,
    )?;
    if header.signed != signed.fingerprints || header.docs != signed.integer_ids.len() as u64 {
        return Err(stage_error(
            path,
            format!(
                "made from other signed files ({} documents, fingerprints {}) than the ones given ({} documents, fingerprints {}): give the signed files it was made from, in the same order",
                header.docs,
                header.signed.join(","),
                signed.integer_ids.len(),
                signed.fingerprints.join(",")
            ),
        ));
    }
    if cfg.to_json() != signed.cfg.to_json() {
        return Err(stage_error(
            path,
            "made under another engine config than the signed files'",
        ));
    }
    let reader = reader
        .with_batch_size(BATCH)
        .build()
        .map_err(|e| parquet_error(path, e))?;
    for rb in reader {
        each(&rb.map_err(|e| parquet_error(path, e))?)?;
    }
    Ok(header)
}

fn positions<'a>(rb: &'a RecordBatch, path: &Path, name: &str) -> Result<&'a Int64Array> {
    let col = rb
        .column_by_name(name)
        .ok_or_else(|| stage_error(path, format!("no column {name:?}")))?;
    let a = col
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| stage_error(path, format!("column {name:?} is not int64")))?;
    if a.null_count() > 0 {
        return Err(stage_error(path, format!("column {name:?} holds nulls")));
    }
    Ok(a)
}

/// Check that `(a, b)` (row `row`) is a pair of two of `docs` documents, `a < b`.
fn pair(path: &Path, row: u64, a: i64, b: i64, docs: usize) -> Result<(u32, u32)> {
    if !(0 <= a && a < b && (b as u64) < docs as u64) {
        return Err(stage_error(
            path,
            format!("row {row}: ({a}, {b}) is not a pair of positions a < b < {docs}"),
        ));
    }
    Ok((a as u32, b as u32))
}

/// Read the candidate pairs of the documents of `signed`.
pub fn read_candidates(path: &Path, signed: &Signed) -> Result<Vec<CandidatePair>> {
    let docs = signed.integer_ids.len();
    let mut out = Vec::new();
    read_pairs(path, signed, Stage::Candidates, |rb| {
        let (a, b) = (positions(rb, path, "a")?, positions(rb, path, "b")?);
        for i in 0..rb.num_rows() {
            let row = out.len() as u64 + 1;
            out.push(pair(path, row, a.value(i), b.value(i), docs)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Read the verified pairs of the documents of `signed`, and how many candidates they were
/// verified from.
pub fn read_verified(path: &Path, signed: &Signed) -> Result<(Vec<ScoredPair>, u64)> {
    let docs = signed.integer_ids.len();
    let mut out: Vec<ScoredPair> = Vec::new();
    let header = read_pairs(path, signed, Stage::Verified, |rb| {
        let (a, b) = (positions(rb, path, "a")?, positions(rb, path, "b")?);
        let col = |name: &str| {
            rb.column_by_name(name)
                .ok_or_else(|| stage_error(path, format!("no column {name:?}")))
        };
        let sim = col("similarity")?
            .as_primitive_opt::<Float64Type>()
            .ok_or_else(|| stage_error(path, "column \"similarity\" is not float64"))?;
        let evidence = col("evidence")?
            .as_string_opt::<i32>()
            .ok_or_else(|| stage_error(path, "column \"evidence\" is not a string"))?;
        let contained = col("contained")?
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(|| stage_error(path, "column \"contained\" is not int64"))?;
        for i in 0..rb.num_rows() {
            let row = out.len() as u64 + 1;
            let (pa, pb) = pair(path, row, a.value(i), b.value(i), docs)?;
            let ev = match (evidence.is_valid(i).then(|| evidence.value(i)), contained.is_valid(i)) {
                (Some("exact"), false) => Evidence::Exact,
                (Some("copy"), false) => Evidence::Copy,
                (Some("story"), false) => Evidence::Story,
                (Some("contained"), true) if contained.value(i) == i64::from(pa) => {
                    Evidence::Contained { first: true }
                }
                (Some("contained"), true) if contained.value(i) == i64::from(pb) => {
                    Evidence::Contained { first: false }
                }
                (e, _) => {
                    return Err(stage_error(
                        path,
                        format!("row {row}: evidence {e:?} with contained {:?} is not one the engine writes", contained.is_valid(i).then(|| contained.value(i))),
                    ))
                }
            };
            if sim.is_null(i) || !sim.value(i).is_finite() {
                return Err(stage_error(
                    path,
                    format!("row {row}: no finite similarity"),
                ));
            }
            if out.last().is_some_and(|p| (p.a, p.b) >= (pa, pb)) {
                return Err(stage_error(
                    path,
                    format!("row {row}: pairs are not sorted and unique"),
                ));
            }
            out.push(ScoredPair {
                a: pa,
                b: pb,
                similarity: sim.value(i),
                evidence: ev,
            });
        }
        Ok(())
    })?;
    Ok((out, header.candidates.unwrap_or(0)))
}
