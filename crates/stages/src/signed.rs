//! The signed stage: one row per document, in input order.
//!
//! | column | type | what |
//! |---|---|---|
//! | `id` | string | the input's id |
//! | `integer_id` | bool | the id was a JSON integer (reports write it back as one) |
//! | `time` | int64, null | seconds since 1970, when the input gave one |
//! | `content_hash` | int64, null | hash of the normalised words (null: no words) |
//! | `words` | int32 | number of words |
//! | `signature` | list of int32 | the copy-lane MinHash signature (`num_perm` values) |
//! | `band_keys` | list of int64, null items | its LSH band keys (null: an empty band) |
//! | `own` | list of int64 | containment: the signature's own-bin mask (else empty) |
//! | `anchors` | list of int32 | containment: lead anchors (else empty) |
//! | `line_hashes` | list of int64 | story preset: hash of each line's words |
//! | `story_terms` | list of int32 | story preset: story terms, all lines in order |
//! | `story_line_ends` | list of int32 | story preset: end of each line in `story_terms` |
//! | `shingles` | list of int64 | exact verification only: the shingle set |
//!
//! Hashes are unsigned in the engine and stored as the signed integers of the same bits:
//! Spark, Java and many Parquet readers have no unsigned types.
//!
//! The file's fingerprint (in its header) is a hash of every row's id, content hash and
//! signature, in order: later stages name the signed files they index by it, and the reader
//! recomputes it, so that an edited or truncated file is refused.

use crate::{ensure_same_config, parquet_error, read_header, stage_error, Header, Stage};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use storyhash_core::candidates::bands::band_keys;
use storyhash_core::candidates::bands::LshParams;
use storyhash_core::pipeline::{FeatureRecipe, SignedBatch, SignedDoc};
use storyhash_core::{CollectionBuilder, EngineConfig, Result};
use xxhash_rust::xxh3::Xxh3;

/// The list columns, in order: name and whether its values are 64-bit.
const LISTS: [(&str, bool); 8] = [
    ("signature", false),
    ("band_keys", true),
    ("own", true),
    ("anchors", false),
    ("line_hashes", true),
    ("story_terms", false),
    ("story_line_ends", false),
    ("shingles", true),
];

/// The schema of a signed file.
pub fn schema() -> SchemaRef {
    let list = |name: &str, wide: bool| {
        let t = if wide {
            DataType::Int64
        } else {
            DataType::Int32
        };
        // Band keys are null for an empty band; other lists have no nulls, but every item
        // field is nullable, as Spark writes and reads lists.
        Field::new(
            name,
            DataType::List(Arc::new(Field::new("item", t, true))),
            false,
        )
    };
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("integer_id", DataType::Boolean, false),
        Field::new("time", DataType::Int64, true),
        Field::new("content_hash", DataType::Int64, true),
        Field::new("words", DataType::Int32, false),
    ];
    fields.extend(LISTS.iter().map(|&(n, w)| list(n, w)));
    Arc::new(Schema::new(fields))
}

fn fingerprint_row(h: &mut Xxh3, d: &SignedDoc<'_>) {
    h.update(&(d.id.len() as u64).to_le_bytes());
    h.update(d.id.as_bytes());
    h.update(&d.content.map_or(0, |c| c ^ 1).to_le_bytes());
    h.update(&[u8::from(d.content.is_some())]);
    for v in d.sig {
        h.update(&v.to_le_bytes());
    }
}

fn hex(h: &Xxh3) -> String {
    format!("{:016x}", h.digest())
}

fn list_i32(values: Vec<u32>, lengths: impl IntoIterator<Item = usize>) -> ListArray {
    let values = Int32Array::new(ScalarBuffer::from(Buffer::from_vec(values)), None);
    list_of(Arc::new(values), lengths)
}

fn list_i64(values: Vec<u64>, lengths: impl IntoIterator<Item = usize>) -> ListArray {
    let values = Int64Array::new(ScalarBuffer::from(Buffer::from_vec(values)), None);
    list_of(Arc::new(values), lengths)
}

fn list_of(values: ArrayRef, lengths: impl IntoIterator<Item = usize>) -> ListArray {
    let item = Field::new("item", values.data_type().clone(), true);
    ListArray::new(
        Arc::new(item),
        OffsetBuffer::from_lengths(lengths),
        values,
        None,
    )
}

/// The rows of `batch` as an Arrow record batch of [`schema`] (`integer_ids`: which ids were
/// JSON integers, by row; empty: none).
pub fn record_batch(
    cfg: &EngineConfig,
    batch: &SignedBatch,
    integer_ids: &[bool],
) -> Result<RecordBatch> {
    let lsh = cfg.copy_lsh()?;
    Ok(rows(lsh, batch, integer_ids, None))
}

fn rows(
    lsh: LshParams,
    batch: &SignedBatch,
    integer_ids: &[bool],
    fingerprint: Option<&mut Xxh3>,
) -> RecordBatch {
    let n = batch.len();
    let docs: Vec<SignedDoc<'_>> = (0..n).map(|i| batch.doc(i)).collect();
    if let Some(h) = fingerprint {
        for d in &docs {
            fingerprint_row(h, d);
        }
    }
    fn narrow<'a>(docs: &[SignedDoc<'a>], get: fn(&SignedDoc<'a>) -> &'a [u32]) -> ListArray {
        let values: Vec<u32> = docs.iter().flat_map(|d| get(d).iter().copied()).collect();
        list_i32(values, docs.iter().map(|d| get(d).len()))
    }
    fn wide<'a>(docs: &[SignedDoc<'a>], get: fn(&SignedDoc<'a>) -> &'a [u64]) -> ListArray {
        let values: Vec<u64> = docs.iter().flat_map(|d| get(d).iter().copied()).collect();
        list_i64(values, docs.iter().map(|d| get(d).len()))
    }
    let keys: Vec<Option<i64>> = docs
        .iter()
        .flat_map(|d| band_keys(d.sig, lsh))
        .map(|k| k.map(|k| k as i64))
        .collect();
    let band_keys = list_of(
        Arc::new(Int64Array::from(keys)),
        std::iter::repeat_n(lsh.bands, n),
    );
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(docs.iter().map(|d| d.id))),
        Arc::new(BooleanArray::from_iter(
            (0..n).map(|i| Some(integer_ids.get(i).copied().unwrap_or(false))),
        )),
        Arc::new(Int64Array::from_iter(docs.iter().map(|d| d.time))),
        Arc::new(Int64Array::from_iter(
            docs.iter().map(|d| d.content.map(|c| c as i64)),
        )),
        Arc::new(Int32Array::from_iter_values(
            docs.iter().map(|d| d.words as i32),
        )),
        Arc::new(narrow(&docs, |d| d.sig)),
        Arc::new(band_keys),
        Arc::new(wide(&docs, |d| d.own)),
        Arc::new(narrow(&docs, |d| d.anchors)),
        Arc::new(wide(&docs, |d| d.line_hashes)),
        Arc::new(narrow(&docs, |d| d.story_terms)),
        Arc::new(narrow(&docs, |d| d.story_line_ends)),
        Arc::new(wide(&docs, |d| d.shingles)),
    ];
    RecordBatch::try_new(schema(), columns).expect("the columns match the schema")
}

/// Writes a signed file batch by batch (bounded memory: one row group is buffered).
pub struct SignedWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    path: PathBuf,
    cfg: EngineConfig,
    lsh: LshParams,
    fingerprint: Xxh3,
    docs: u64,
}

impl<W: Write + Send> SignedWriter<W> {
    /// Start a signed file of documents signed under `cfg` on `out` (`path` names it in
    /// errors).
    pub fn new(out: W, path: &Path, cfg: &EngineConfig) -> Result<Self> {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("level 1")))
            // Signed rows are kilobytes each (story terms): a smaller group bounds the buffer.
            .set_max_row_group_row_count(Some(crate::ROW_GROUP / 8))
            .build();
        let writer =
            ArrowWriter::try_new(out, schema(), Some(props)).map_err(|e| parquet_error(path, e))?;
        Ok(SignedWriter {
            writer,
            path: path.to_path_buf(),
            cfg: cfg.clone(),
            lsh: cfg.copy_lsh()?,
            fingerprint: Xxh3::new(),
            docs: 0,
        })
    }

    /// Append a batch signed under the writer's config (`integer_ids`: which ids were JSON
    /// integers, by row).
    pub fn write(&mut self, batch: &SignedBatch, integer_ids: &[bool]) -> Result<()> {
        FeatureRecipe::of(&self.cfg).ensure_comparable(&batch.recipe())?;
        let rb = rows(self.lsh, batch, integer_ids, Some(&mut self.fingerprint));
        self.docs += batch.len() as u64;
        self.writer
            .write(&rb)
            .map_err(|e| parquet_error(&self.path, e))
    }

    /// Write the metadata and end the file; the header written.
    pub fn finish(mut self) -> Result<Header> {
        let header = Header {
            stage: Stage::Signed,
            format_version: crate::FORMAT_VERSION,
            recipe: FeatureRecipe::of(&self.cfg),
            docs: self.docs,
            signed: vec![hex(&self.fingerprint)],
            candidates: None,
        };
        for kv in header.metadata(&self.cfg) {
            self.writer.append_key_value_metadata(kv);
        }
        self.writer
            .close()
            .map_err(|e| parquet_error(&self.path, e))?;
        Ok(header)
    }
}

/// Signed files read back into a collection builder, ready to be finished.
pub struct Signed {
    /// The config every file was signed under.
    pub cfg: EngineConfig,
    /// The builder holding every document, files in the order given.
    pub builder: CollectionBuilder,
    /// Which ids were JSON integers, by position.
    pub integer_ids: Vec<bool>,
    /// Each file's fingerprint, in order.
    pub fingerprints: Vec<String>,
}

/// A list column's offsets and values (as the engine's unsigned values) of one batch.
struct ListCol<T: arrow_buffer::ArrowNativeType> {
    offsets: ScalarBuffer<i32>,
    values: ScalarBuffer<T>,
}

impl<T: arrow_buffer::ArrowNativeType> ListCol<T> {
    fn get(&self, row: usize) -> &[T] {
        let (a, b) = (self.offsets[row] as usize, self.offsets[row + 1] as usize);
        &self.values[a..b]
    }
}

fn column<'a>(rb: &'a RecordBatch, path: &Path, name: &str) -> Result<&'a ArrayRef> {
    rb.column_by_name(name)
        .ok_or_else(|| stage_error(path, format!("no column {name:?}")))
}

fn list_col<T: arrow_buffer::ArrowNativeType>(
    rb: &RecordBatch,
    path: &Path,
    name: &str,
    wide: bool,
    nulls_ok: bool,
) -> Result<ListCol<T>> {
    let bad = || {
        stage_error(
            path,
            format!("column {name:?} is not a list of the right type"),
        )
    };
    let list = column(rb, path, name)?
        .as_list_opt::<i32>()
        .ok_or_else(bad)?;
    if list.null_count() > 0 || (!nulls_ok && list.values().null_count() > 0) {
        return Err(stage_error(path, format!("column {name:?} holds nulls")));
    }
    // Zero-copy: the same bits, read as the engine's unsigned values.
    let buffer = if wide {
        list.values()
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(bad)?
            .values()
            .inner()
            .clone()
    } else {
        list.values()
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(bad)?
            .values()
            .inner()
            .clone()
    };
    Ok(ListCol {
        offsets: list.offsets().inner().clone(),
        values: ScalarBuffer::from(buffer),
    })
}

/// Which ids were JSON integers, by row of a signed batch.
fn integer_ids(rb: &RecordBatch, path: &Path) -> Result<Vec<bool>> {
    let integer = column(rb, path, "integer_id")?
        .as_boolean_opt()
        .ok_or_else(|| stage_error(path, "column \"integer_id\" is not a boolean"))?;
    Ok(integer.iter().map(|b| b.unwrap_or(false)).collect())
}

/// Call `f` with the documents of a batch of signed rows ([`schema`]; a file's, or rows that
/// went through another tool, such as Spark), borrowed from its columns (`path` names the
/// batch in errors): the one reading of the signed schema. Lists must hold no nulls (band
/// keys are not read).
pub fn with_docs<R>(
    rb: &RecordBatch,
    path: &Path,
    f: impl FnOnce(&[SignedDoc<'_>]) -> Result<R>,
) -> Result<R> {
    let ids = column(rb, path, "id")?
        .as_string_opt::<i32>()
        .ok_or_else(|| stage_error(path, "column \"id\" is not a string"))?;
    let integer = column(rb, path, "integer_id")?
        .as_boolean_opt()
        .ok_or_else(|| stage_error(path, "column \"integer_id\" is not a boolean"))?;
    let i64s = |name: &str| -> Result<Int64Array> {
        column(rb, path, name)?
            .as_primitive_opt::<Int64Type>()
            .cloned()
            .ok_or_else(|| stage_error(path, format!("column {name:?} is not int64")))
    };
    let (time, content) = (i64s("time")?, i64s("content_hash")?);
    let words = column(rb, path, "words")?
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| stage_error(path, "column \"words\" is not int32"))?;
    if ids.null_count() + integer.null_count() + words.null_count() > 0 {
        return Err(stage_error(path, "null ids, integer_id or words"));
    }
    let sig = list_col::<u32>(rb, path, "signature", false, false)?;
    let own = list_col::<u64>(rb, path, "own", true, false)?;
    let anchors = list_col::<u32>(rb, path, "anchors", false, false)?;
    let lines = list_col::<u64>(rb, path, "line_hashes", true, false)?;
    let terms = list_col::<u32>(rb, path, "story_terms", false, false)?;
    let ends = list_col::<u32>(rb, path, "story_line_ends", false, false)?;
    let shingles = list_col::<u64>(rb, path, "shingles", true, false)?;
    let docs: Vec<SignedDoc<'_>> = (0..rb.num_rows())
        .map(|i| SignedDoc {
            id: ids.value(i),
            time: time.is_valid(i).then(|| time.value(i)),
            content: content.is_valid(i).then(|| content.value(i) as u64),
            words: words.value(i) as u32,
            sig: sig.get(i),
            own: own.get(i),
            anchors: anchors.get(i),
            line_hashes: lines.get(i),
            story_terms: terms.get(i),
            story_line_ends: ends.get(i),
            shingles: shingles.get(i),
        })
        .collect();
    f(&docs)
}

/// Read signed files (in order) into one collection builder. Every file must have been made
/// under the same config; a file whose rows do not match its fingerprint or row count, or an
/// id found twice, is refused.
pub fn read_signed(paths: &[PathBuf]) -> Result<Signed> {
    let mut out: Option<(PathBuf, Signed)> = None;
    let mut seen: HashMap<String, (usize, u64)> = HashMap::new();
    for (f, path) in paths.iter().enumerate() {
        let file = std::fs::File::open(path).map_err(|e| storyhash_core::Error::io(path, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| stage_error(path, format!("not a readable Parquet file ({e})")))?;
        let (header, cfg) = read_header(
            path,
            reader.metadata().file_metadata().key_value_metadata(),
            Stage::Signed,
        )?;
        match &out {
            None => {
                let signed = Signed {
                    builder: CollectionBuilder::new(cfg.clone()),
                    cfg,
                    integer_ids: Vec::new(),
                    fingerprints: Vec::new(),
                };
                out = Some((path.clone(), signed));
            }
            Some((first, s)) => ensure_same_config(first, &s.cfg, path, &cfg)?,
        }
        let (_, s) = out.as_mut().expect("set above");
        let reader = reader
            .with_batch_size(4096)
            .build()
            .map_err(|e| parquet_error(path, e))?;
        let mut h = Xxh3::new();
        let mut rows = 0u64;
        for rb in reader {
            let rb = rb.map_err(|e| parquet_error(path, e))?;
            let n = rb.num_rows();
            let integer = integer_ids(&rb, path)?;
            let batch = with_docs(&rb, path, |docs| {
                for (i, d) in docs.iter().enumerate() {
                    fingerprint_row(&mut h, d);
                    let row = rows + i as u64 + 1;
                    if let Some(&(ff, fr)) = seen.get(d.id) {
                        return Err(stage_error(
                            path,
                            format!(
                                "row {row}: duplicate id {:?} (first at {} row {fr})",
                                d.id,
                                paths[ff].display()
                            ),
                        ));
                    }
                    seen.insert(d.id.to_owned(), (f, row));
                }
                s.builder
                    .signed_from(docs.iter().copied())
                    .map_err(|e| stage_error(path, e.to_string()))
            })?;
            s.builder.add_signed(batch)?;
            s.integer_ids.extend(integer);
            rows += n as u64;
        }
        if rows != header.docs || hex(&h) != header.signed[0] {
            return Err(stage_error(
                path,
                format!(
                    "its rows ({rows}) do not match its header ({} documents, fingerprint {}): the file was changed after it was written",
                    header.docs, header.signed[0]
                ),
            ));
        }
        s.fingerprints.push(hex(&h));
    }
    out.map(|(_, s)| s)
        .ok_or_else(|| storyhash_core::Error::Config("no signed file given".into()))
}
