//! `sign`: articles and a config go in, one Arrow row per article comes out: its id, content
//! hash, word count, copy-lane signature and band keys, computed by the core
//! ([`CollectionBuilder::sign`], [`band_keys`]) from each text alone; and, on request, its
//! story top terms, which need collection statistics and are computed over the batch as the
//! collection, exactly as a batch run computes them.
//!
//! Invariant: a row depends on its text and the config only (top terms: on the batch too),
//! never on the number of threads.

use arrow_array::builder::{ListBuilder, UInt32Builder};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field};
use std::sync::Arc;
use storyhash_core::candidates::bands::band_keys;
use storyhash_core::pipeline::StoryIndex;
use storyhash_core::{ArticleRef, CollectionBuilder, EngineConfig, Error, Preset};

/// A list column over `values`, document `i` at `values[offsets[i]..offsets[i + 1]]`.
fn list(values: ArrayRef, lengths: impl IntoIterator<Item = usize>, nullable: bool) -> ListArray {
    let item = Field::new("item", values.data_type().clone(), nullable);
    ListArray::new(
        Arc::new(item),
        OffsetBuffer::from_lengths(lengths),
        values,
        None,
    )
}

/// The signed rows of `articles` under `cfg`; with `top_terms`, the story top terms too (the
/// story preset with its top-terms index only).
pub(crate) fn sign(
    cfg: &EngineConfig,
    articles: &[ArticleRef<'_>],
    top_terms: bool,
) -> Result<RecordBatch, Error> {
    if top_terms
        && (cfg.preset != Preset::Story || !matches!(cfg.story.index, StoryIndex::TopTerms(_)))
    {
        return Err(Error::Config(
            "top_terms=True needs the story preset with its top-terms index (story.index.top_terms)"
                .into(),
        ));
    }
    let lsh = cfg.copy_lsh()?;
    let mut builder = CollectionBuilder::new(cfg.clone());
    let batch = builder.sign_borrowed(articles);
    let n = batch.len();
    let k = cfg.copy.sketch.num_perm;
    let mut ids = Vec::with_capacity(n);
    let mut content = Vec::with_capacity(n);
    let mut words = Vec::with_capacity(n);
    let mut sigs: Vec<u32> = Vec::with_capacity(n * k);
    let mut keys: Vec<Option<u64>> = Vec::with_capacity(n * lsh.bands);
    for i in 0..n {
        let d = batch.doc(i);
        ids.push(d.id.to_owned());
        content.push(d.content);
        words.push(d.words);
        sigs.extend_from_slice(d.sig);
        keys.extend(band_keys(d.sig, lsh));
    }
    let mut columns: Vec<(&str, ArrayRef, bool)> = vec![
        ("id", Arc::new(StringArray::from_iter_values(&ids)), false),
        ("content_hash", Arc::new(UInt64Array::from(content)), true),
        ("words", Arc::new(UInt32Array::from(words)), false),
        (
            "signature",
            Arc::new(list(
                Arc::new(UInt32Array::from(sigs)),
                std::iter::repeat_n(k, n),
                false,
            )),
            false,
        ),
        (
            "band_keys",
            Arc::new(list(
                Arc::new(UInt64Array::from(keys)),
                std::iter::repeat_n(lsh.bands, n),
                true,
            )),
            false,
        ),
    ];
    if top_terms {
        builder.add_signed(batch)?;
        let coll = builder.finish()?;
        let story = coll
            .story
            .as_ref()
            .expect("the story preset has a story lane");
        let mut top = ListBuilder::new(UInt32Builder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::UInt32,
            false,
        )));
        for i in 0..n {
            top.values().append_slice(story.top.get(i));
            top.append(true);
        }
        let reps: Vec<&str> = coll
            .story_of
            .iter()
            .map(|&r| ids[r as usize].as_str())
            .collect();
        columns.push(("top_terms", Arc::new(top.finish()), false));
        columns.push((
            "copy_representative",
            Arc::new(StringArray::from(reps)),
            false,
        ));
    }
    RecordBatch::try_from_iter_with_nullable(columns)
        .map_err(|e| Error::Internal(format!("building the output batch: {e}")))
}
