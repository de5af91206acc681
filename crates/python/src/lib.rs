//! storyhash's Python module (`storyhash._storyhash`, wrapped by the `storyhash` package):
//! Arrow record batches go in through the Arrow PyCapsule interface (pyarrow, polars, duckdb
//! and anything else with `__arrow_c_stream__` or `__arrow_c_array__`), the core signs,
//! compares, explains or clusters them, and Arrow record batches, JSONL bytes or JSON come out.
//!
//! Invariants: the GIL is released while the core works (reading the Arrow columns, signing,
//! clustering, writing the report), and no Python object is made per document. Results are
//! the CLI's for the same records and config: the same core calls, the same report writer.

mod cluster;
mod config;
mod input;
mod pair;
mod sign;
mod stage;

use arrow_array::RecordBatch;
use config::{value_error, Config};
use input::Columns;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::PyRecordBatch;
use storyhash_core::EngineConfig;
use storyhash_report::PairsShown;

// Rust's allocations only (Python's objects keep Python's allocator): see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Every record batch of `data` (anything with `__arrow_c_stream__` or `__arrow_c_array__`),
/// imported without copying.
fn batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let any: AnyRecordBatch = data.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected Arrow data (an object with __arrow_c_stream__ or __arrow_c_array__: a \
             pyarrow Table or RecordBatch, a polars DataFrame, a duckdb relation), got {}",
            data.get_type()
        ))
    })?;
    any.into_reader()?
        .collect::<Result<Vec<_>, _>>()
        .map_err(value_error)
}

/// An entry point's articles: its config and the columns to read them from; [`Request::run`]
/// is the body every entry point that takes articles shares.
struct Request<'a> {
    config: Option<&'a Config>,
    cols: Columns,
}

impl<'a> Request<'a> {
    fn new(config: Option<&'a Config>, id: &str, text: &str, title: Option<&str>) -> Self {
        Request {
            config,
            cols: Columns {
                id: id.to_owned(),
                text: text.to_owned(),
                title: title.map(str::to_owned),
            },
        }
    }

    /// `f` over the articles of `data` (read where the Arrow buffers hold them) with the GIL
    /// released; the buffers are let go when `f` returns.
    fn run<T: Send>(
        self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        f: impl FnOnce(&EngineConfig, input::Articles<'_>) -> Result<T, String> + Send,
    ) -> PyResult<T> {
        let batches = batches(data)?;
        let cfg = Config::or_default(self.config);
        let cols = self.cols;
        py.detach(move || {
            let read = input::articles(&batches, &cols).map_err(|e| e.0)?;
            f(&cfg, read)
        })
        .map_err(value_error)
    }
}

/// Sign a batch of texts: one row per input row, in order, with ``id`` (string),
/// ``content_hash`` (uint64, null for a text without words), ``words`` (uint32),
/// ``signature`` (the copy lane's MinHash signature, list<uint32>) and ``band_keys`` (the LSH
/// band keys of the signature, list<uint64>, null for a band holding the empty-set marker).
#[pyfunction]
#[pyo3(name = "sign", signature = (data, config = None, *, id_column = "id", text_column = "text", title_column = None, top_terms = false))]
fn py_sign(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    config: Option<&Config>,
    id_column: &str,
    text_column: &str,
    title_column: Option<&str>,
    top_terms: bool,
) -> PyResult<PyRecordBatch> {
    Request::new(config, id_column, text_column, title_column)
        .run(py, data, |cfg, read| {
            sign::sign(cfg, &read.refs(), top_terms).map_err(|e| e.to_string())
        })
        .map(PyRecordBatch::new)
}

/// Sign a batch of articles into rows of the signed stage schema (``storyhash sign``'s
/// Parquet columns: ``id``, ``integer_id``, ``time``, ``content_hash``, ``words``,
/// ``signature``, ``band_keys``, ``own``, ``anchors``, ``line_hashes``, ``story_terms``,
/// ``story_line_ends``, ``shingles``; unsigned values as signed integers of the same bits).
#[pyfunction]
#[pyo3(signature = (data, config = None, *, id_column = "id", text_column = "text", title_column = None))]
fn sign_rows(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    config: Option<&Config>,
    id_column: &str,
    text_column: &str,
    title_column: Option<&str>,
) -> PyResult<PyRecordBatch> {
    Request::new(config, id_column, text_column, title_column)
        .run(py, data, |cfg, read| {
            stage::sign_rows(cfg, &read.refs(), &read.integer_ids)
        })
        .map(PyRecordBatch::new)
}

/// The candidate pairs the copy preset joins, of the pairs whose documents are the rows of
/// ``left`` and ``right`` (aligned: row ``i`` of each is one pair; signed rows, each with an
/// int64 ``position``, ``left``'s the smaller); a batch of the verified stage schema (``a``,
/// ``b``, ``similarity``, ``evidence``, ``contained``), sorted by position.
#[pyfunction]
fn verify_pairs(
    py: Python<'_>,
    config: &Config,
    left: &Bound<'_, PyAny>,
    right: &Bound<'_, PyAny>,
) -> PyResult<PyRecordBatch> {
    let (left, right) = (batches(left)?, batches(right)?);
    let cfg = config.cfg.clone();
    py.detach(move || stage::verify_pairs(&cfg, &left, &right))
        .map(PyRecordBatch::new)
        .map_err(value_error)
}

fn pairs_shown(pairs: &str) -> PyResult<PairsShown> {
    match pairs {
        "joins" => Ok(PairsShown::Joins),
        "all" => Ok(PairsShown::All),
        other => Err(value_error(format!(
            "pairs must be \"joins\" or \"all\", got {other:?}"
        ))),
    }
}

/// Cluster a batch; the report as ``storyhash cluster --format jsonl`` writes it, byte for byte.
#[pyfunction]
#[pyo3(signature = (data, config = None, *, id_column = "id", text_column = "text", title_column = None, pairs = "joins"))]
fn cluster_jsonl<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    config: Option<&Config>,
    id_column: &str,
    text_column: &str,
    title_column: Option<&str>,
    pairs: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let shown = pairs_shown(pairs)?;
    // Signed, then the texts let go before the collection is built.
    let (builder, integer_ids) =
        Request::new(config, id_column, text_column, title_column).run(py, data, |cfg, read| {
            Ok((cluster::signed(cfg, &read.refs()), read.integer_ids))
        })?;
    let out = py.detach(move || {
        let (coll, run) = cluster::run(builder).map_err(|e| e.to_string())?;
        Ok::<_, String>(cluster::jsonl(&coll, &run, &integer_ids, shown))
    });
    Ok(PyBytes::new(py, &out.map_err(value_error)?))
}

/// Cluster a batch; one row per input row, in order.
#[pyfunction]
#[pyo3(name = "cluster", signature = (data, config = None, *, id_column = "id", text_column = "text", title_column = None))]
fn py_cluster(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    config: Option<&Config>,
    id_column: &str,
    text_column: &str,
    title_column: Option<&str>,
) -> PyResult<PyRecordBatch> {
    // Signed, then the texts let go before the collection is built.
    let builder =
        Request::new(config, id_column, text_column, title_column)
            .run(py, data, |cfg, read| Ok(cluster::signed(cfg, &read.refs())))?;
    py.detach(move || {
        let (coll, run) = cluster::run(builder).map_err(|e| e.to_string())?;
        cluster::rows(&coll, &run).map_err(|e| e.to_string())
    })
    .map(PyRecordBatch::new)
    .map_err(value_error)
}

/// ``storyhash compare A B --format json`` of two texts (its line, without the newline).
#[pyfunction]
#[pyo3(signature = (a, b, config = None, *, ids = ("a".to_owned(), "b".to_owned())))]
fn compare_json(
    py: Python<'_>,
    a: &str,
    b: &str,
    config: Option<&Config>,
    ids: (String, String),
) -> PyResult<String> {
    let cfg = Config::or_default(config);
    let (a, b) = (a.to_owned(), b.to_owned());
    py.detach(move || pair::compare(cfg, [&ids.0, &ids.1], [&a, &b]))
        .map_err(value_error)
}

/// ``storyhash explain A B --format json`` of two texts (its line, without the newline).
#[pyfunction]
#[pyo3(signature = (a, b, config = None, *, ids = ("a".to_owned(), "b".to_owned()), terms = 12))]
fn explain_json(
    py: Python<'_>,
    a: &str,
    b: &str,
    config: Option<&Config>,
    ids: (String, String),
    terms: usize,
) -> PyResult<String> {
    let cfg = Config::or_default(config);
    let (a, b) = (a.to_owned(), b.to_owned());
    py.detach(move || pair::explain(cfg, [&ids.0, &ids.1], [&a, &b], terms))
        .map_err(value_error)
}

/// The extension module.
#[pymodule]
fn _storyhash(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Config>()?;
    m.add_function(wrap_pyfunction!(py_sign, m)?)?;
    m.add_function(wrap_pyfunction!(py_cluster, m)?)?;
    m.add_function(wrap_pyfunction!(sign_rows, m)?)?;
    m.add_function(wrap_pyfunction!(verify_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(cluster_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(compare_json, m)?)?;
    m.add_function(wrap_pyfunction!(explain_json, m)?)?;
    m.add("CONFIG_VERSION", storyhash_core::pipeline::CONFIG_VERSION)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
