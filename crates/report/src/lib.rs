//! Reports: a [`ClusterRun`] and the document ids go in, text comes out on a writer.
//! - [`Format::Table`]: for people; clusters of two or more, their members and scores.
//! - [`Format::Jsonl`]: one object per cluster (singletons included): `id`, `representative`,
//!   `size`, `members`, `pairs` (`a`, `b`, `similarity`, `evidence`).
//! - [`Format::Csv`]: one row per document: `cluster`, `id`, `representative`, `similarity`
//!   (to the representative).
//! - [`html`]: one self-contained page for editors (clusters, charts, the shared passages of
//!   a pair side by side), written from an [`html::Page`] by [`html::write`].
//! - [`pair`]: one pair explained (`storyhash explain` and `compare`, and the Python module's).
//!
//! Scores are printed with 4 decimals so that output is stable and diffable.

mod csv;
pub mod html;
mod jsonl;
pub mod pair;
mod table;

use std::io::Write;
use storyhash_core::cluster::ClusterRun;
use storyhash_core::score::Preset;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// One JSON object per cluster.
    Jsonl,
    /// One CSV row per document.
    Csv,
}

/// What a report needs to know besides the run.
pub struct ReportInput<'a> {
    /// Document ids by input position.
    pub ids: &'a [String],
    /// The clustering.
    pub run: &'a ClusterRun,
    /// The preset whose score is reported as `similarity`.
    pub preset: Preset,
    /// Which verified pairs the JSONL report lists.
    pub pairs: PairsShown,
    /// Which ids were integers in the input (by input position; empty: none), written back as
    /// integers by the JSONL report.
    pub integer_ids: &'a [bool],
    /// Fields carried along (their names, and each document's values by input position),
    /// listed by the JSONL report with each cluster's members; no names: none.
    pub kept: (&'a [String], &'a [Vec<serde_json::Value>]),
    /// More fields for each pair the JSONL report lists, by its two documents (for example
    /// the shared passages and terms of `cluster --explain`); `None`: no more.
    pub pair_fields: Option<PairFields<'a>>,
}

/// A source of extra JSON fields for the pair of documents `(a, b)`.
pub type PairFields<'a> = &'a dyn Fn(u32, u32) -> serde_json::Map<String, serde_json::Value>;

/// Which verified pairs a JSONL report lists under each cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PairsShown {
    /// The pairs that joined the cluster (a spanning tree: one fewer than its members), so that
    /// the output stays about the size of the input and a chain A-B-C shows as such.
    #[default]
    Joins,
    /// Every verified pair (under average linkage also those whose clusters stayed apart,
    /// listed under the cluster of `a`).
    All,
}

/// Write the report in `format`.
pub fn write(format: Format, input: &ReportInput<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Table => table::write(input, out),
        Format::Jsonl => jsonl::write(input, out),
        Format::Csv => csv::write(input, out),
    }
}

/// A score rounded to 4 decimals, as every report writes scores.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
