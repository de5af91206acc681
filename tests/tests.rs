//! The integration tests, in one binary (one link of the crate instead of one per file): each
//! module runs the built `storyhash` binary on `fixtures/` or calls the public API.

mod common;

mod bad_input;
mod cli;
mod contain;
mod dedup;
mod explain;
mod formats;
mod help;
mod index;
mod parquet_input;
mod quality;
mod regression_fuzz;
mod serve;
mod stages;
