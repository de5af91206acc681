//! `compare` and `explain` of two texts on their own: two texts, their ids and a config go in,
//! the JSON object `storyhash compare A B --format json` or `storyhash explain A B --format
//! json` prints for two files comes out (as a string, without the line's newline).
//!
//! As in the CLI, every lane is computed whatever the preset decides, and with no collection
//! around the two texts every IDF is 1. The objects are the CLI's own
//! (`storyhash_report::pair`); `tests/test_pairs.py` holds the two to the same bytes.

use storyhash_core::explain::{explain_pair, pair_measures, PassageParams};
use storyhash_core::pipeline::IdfSource;
use storyhash_core::score::Preset;
use storyhash_core::{Article, Collection, CollectionBuilder, EngineConfig, Error};
use storyhash_report::pair::{compare_json, PairView};

/// The collection of the two texts alone (story lane on, every IDF 1), and the preset asked
/// for.
fn alone(
    mut cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
) -> Result<(Collection, Preset), Error> {
    let preset = cfg.preset;
    cfg.preset = Preset::Story;
    cfg.story.idf = IdfSource::Uniform;
    let mut builder = CollectionBuilder::new(cfg);
    builder.add_batch(vec![
        Article::new(ids[0], texts[0]),
        Article::new(ids[1], texts[1]),
    ]);
    Ok((builder.finish()?, preset))
}

/// `storyhash compare A B --format json` of two texts.
pub(crate) fn compare(
    cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
) -> Result<String, Error> {
    let (coll, preset) = alone(cfg, ids, texts)?;
    let measures = pair_measures(&coll, texts, 0, 1);
    let note = "no collection: every IDF is 1";
    Ok(compare_json(&coll, ids, (0, 1), &measures, note, preset).to_string())
}

/// The CLI's note on where the IDF comes from, for two texts alone.
const IDF_NOTE: &str =
    "no collection: every IDF is 1 (give a collection and --ids for real weights)";

/// `storyhash explain A B --format json` of two texts, with the `terms` heaviest shared
/// terms (the CLI's `--terms`, 12 by default).
pub(crate) fn explain(
    cfg: EngineConfig,
    ids: [&str; 2],
    texts: [&str; 2],
    terms: usize,
) -> Result<String, Error> {
    let (coll, preset) = alone(cfg, ids, texts)?;
    // Two texts alone: every word weighs 1, as every IDF is 1 for the scores.
    let e = explain_pair(&coll, texts, 0, 1, None, PassageParams::default(), terms);
    let view = PairView {
        ids,
        texts,
        coll: &coll,
        pos: (0, 1),
        e: &e,
        t: coll.cfg.thresholds,
        preset,
        idf_note: IDF_NOTE,
        // Two texts alone: no batch run to place them in (`together` is null).
        clusters: None,
    };
    Ok(view.json().to_string())
}
