//! storyhash as a library: a facade over the workspace's crates, so that one dependency gives
//! the whole pipeline (as ripgrep's `grep` crate does for its crates).
//! - [`storyhash_core`] (re-exported at the top level): text, shingles, sketches, candidates,
//!   scores, clusters and the composed pipeline; no CLI, progress, allocator or file readers;
//! - [`corpus`]: reading JSONL, CSV and text directories (gz, zst) into articles;
//! - [`report`]: a clustering run as a table, JSONL or CSV;
//! - [`stages`]: the Parquet files between `sign`, `candidates`, `verify` and `link`.

pub use storyhash_core::*;
pub use storyhash_corpus as corpus;
pub use storyhash_index as index;
pub use storyhash_report as report;
pub use storyhash_stages as stages;
