//! The pipeline, composed: [`Article`]s go in (in batches, in input order), a
//! [`ClusterRun`](crate::cluster::ClusterRun) comes out. Each stage lives in its own module;
//! this folder wires them, one file per step:
//!
//! 1. `features`: per document, in parallel: normalise, split into lines of hashed words,
//!    shingle, sketch (the copy-lane signature), content hash;
//! 2. `copy_lane`: exact copies by content hash, near copies by LSH + verified Jaccard;
//! 3. `story_lane` (story preset): collection statistics over the copy clusters'
//!    representatives (boilerplate lines, IDF, the length prior), then each document's story
//!    vector and its heaviest terms for the top-terms candidate index;
//! 4. `collection`: the candidates of both lanes, verified (`verify`), then linked (single or
//!    average linkage) into clusters.
//!
//! Invariant: the result depends on the articles and the [`EngineConfig`] only, never on the
//! number of threads: every parallel step collects in input order.

mod article;
mod collection;
mod config;
pub mod contain;
mod copy_lane;
mod docs;
pub(crate) mod features;
mod store;
mod story_lane;
mod verify;

#[cfg(test)]
mod tests;

pub use article::{Article, ArticleRef};
pub use collection::{Collection, CollectionBuilder, SignedBatch, SignedDoc};
pub use config::{
    CopyParams, EngineConfig, IdfSource, LinkParams, StoryIndex, StoryMinHashParams, StoryParams,
    TopTermsParams, Verify, CONFIG_VERSION, MAX_NUM_PERM,
};
pub use docs::{DocId, DocTable};
pub use features::{FeatureRecipe, StoryTermsRecipe};
pub use store::{FeatureStore, MemStore, PairScorer};
pub use story_lane::{
    story_bag, versions, StatsState, StoryLane, VERSION_CONTAINMENT, VERSION_JACCARD,
};
