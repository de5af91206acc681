//! storyhash finds news articles that are the same story: near-duplicate wire copy, and
//! different outlets' write-ups of one event.
//!
//! The pipeline, one module per stage:
//! 1. [`corpus`]: read JSONL / CSV / a directory of text files (gz, zst) -> [`corpus::Document`]s;
//! 2. [`text`]: normalise (NFKC, case, quotes), split into lines of hashed words, find
//!    boilerplate lines shared across the collection;
//! 3. [`shingle`]: words -> word or character n-gram hashes;
//! 4. [`weight`]: collection statistics -> IDF-weighted term vectors (story lane);
//! 5. [`sketch`]: MinHash of shingle sets, weighted MinHash of term vectors;
//! 6. [`lsh`]: banding -> candidate pairs (copy lane); [`index`]: shared heaviest terms ->
//!    candidate pairs (story lane);
//! 7. [`score`]: verify candidates with the preset's measure and rule;
//! 8. [`cluster`]: union-find -> clusters with representatives;
//! 9. [`report`]: table, JSONL, CSV.
//!
//! [`engine`] composes stages 2-8 for a collection; [`hashed`] holds the hash maps keyed by
//! hashes that several stages use.

pub mod candidates;
pub mod cluster;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod hashed;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod shingle;
pub mod sketch;
pub mod text;
pub mod weight;

pub use cluster::ClusterRun;
pub use error::{Error, Result};
pub use pipeline::{Article, Collection, CollectionBuilder, EngineConfig, Verify};
pub use score::Preset;
