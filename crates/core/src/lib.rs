//! storyhash finds news articles that are the same story: near-duplicate wire copy, and
//! different outlets' write-ups of one event.
//!
//! This crate is the engine alone: it takes [`Article`]s (an id, a text, optionally a headline
//! and a time) from any driver (the CLI's file readers, a server, Python) and has no CLI,
//! progress, allocator or file-reader dependency. The pipeline, one module per stage:
//! 1. [`text`]: normalise (NFKC, case, quotes), split into lines of hashed words, find
//!    boilerplate lines shared across the collection;
//! 2. [`shingle`]: words -> word or character n-gram hashes;
//! 3. [`sketch`]: MinHash of shingle sets (the copy lane), weighted MinHash of term vectors;
//! 4. [`weight`]: collection statistics -> IDF-weighted term vectors (the story lane);
//! 5. [`candidates`]: LSH bands over copy signatures, shared heaviest terms over story
//!    vectors -> candidate pairs;
//! 6. [`score`]: verify candidates with the preset's measure and rule;
//! 7. [`cluster`]: single or average linkage -> clusters with representatives.
//!
//! [`pipeline`] composes the stages for a collection, one file per step (features, copy lane,
//! story lane, verification); [`hashed`] holds the hash primitives every stage uses;
//! [`explain`] the evidence of a pair (its measures, the terms that carried it); [`eval`] the
//! quality metrics.

pub mod candidates;
pub mod cluster;
pub mod error;
pub mod eval;
pub mod explain;
pub mod hashed;
pub mod pipeline;
pub mod score;
pub mod shingle;
pub mod sketch;
pub mod text;
pub mod weight;

pub use cluster::ClusterRun;
pub use error::{Error, Result};
pub use pipeline::{Article, ArticleRef, Collection, CollectionBuilder, EngineConfig, Verify};
pub use score::Preset;
