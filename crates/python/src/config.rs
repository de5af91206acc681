//! `storyhash.Config`: the engine's [`EngineConfig`] as a Python object. It is made from a
//! preset, a dict or JSON, and it is read through the core's own
//! [`EngineConfig::from_json`], so that a config is validated by the rules every driver
//! shares, and a bad one is refused with the core's message.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use storyhash_core::{EngineConfig, Preset};

/// The engine's settings: everything that decides a result (preset, thresholds, the copy
/// lane's shingles, sketch and banding, the story lane's index and weights, the linkage).
///
/// Its dict and JSON forms are those of the core (``{"config_version": N, "config": {...}}``),
/// the same an archive index stores; ``Config.preset("copy")`` equals the CLI's
/// ``--preset copy`` with no other option.
#[pyclass(module = "storyhash", name = "Config", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub(crate) cfg: EngineConfig,
}

/// A core error as a `ValueError` carrying the core's message.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The settings `storyhash cluster --preset P` runs with when given no other option: the
/// core's defaults for `P`, with the containment threshold set to the CLI's
/// `--contain-threshold` default explicitly, so that a Python user asking for a preset gets
/// the CLI's results even if the core's default moves.
pub(crate) fn cli_preset(preset: Preset) -> EngineConfig {
    let mut cfg = EngineConfig::for_preset(preset);
    if let Some(c) = &mut cfg.copy.contain {
        c.threshold = CLI_CONTAIN_THRESHOLD;
    }
    cfg
}

/// The CLI's `--contain-threshold` default.
const CLI_CONTAIN_THRESHOLD: f64 = 0.7;

fn preset_of(name: &str) -> PyResult<Preset> {
    match name {
        "copy" => Ok(Preset::Copy),
        "story" => Ok(Preset::Story),
        other => Err(PyValueError::new_err(format!(
            "unknown preset {other:?}: \"copy\" (near-duplicate copies) or \"story\" (same story, any wording)"
        ))),
    }
}

#[pymethods]
impl Config {
    /// The default settings of ``preset``: ``"story"`` (the default) or ``"copy"``.
    #[new]
    #[pyo3(signature = (preset = "story"))]
    fn new(preset: &str) -> PyResult<Self> {
        Self::preset(preset)
    }

    /// The settings of ``name`` as the CLI's ``--preset NAME`` with no other option:
    /// ``"copy"`` (near-duplicate copies: word 5-gram Jaccard >= 0.8, or a trimmed copy whose
    /// containment reaches 0.7) or ``"story"`` (same story in any wording: story score >= 0.25,
    /// or a copy).
    #[staticmethod]
    fn preset(name: &str) -> PyResult<Self> {
        Ok(Config {
            cfg: cli_preset(preset_of(name)?),
        })
    }

    /// A config from its JSON form (``to_json``). Another ``config_version``, a missing or
    /// mistyped field, or a setting out of range raises ``ValueError`` with the core's message.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        let cfg = EngineConfig::from_json(json).map_err(value_error)?;
        Ok(Config { cfg })
    }

    /// A config from its dict form (``to_dict``), checked as ``from_json`` checks JSON.
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        let json: String = py.import("json")?.call_method1("dumps", (d,))?.extract()?;
        Self::from_json(&json)
    }

    /// The config as JSON, with its version (the core's form).
    fn to_json(&self) -> String {
        self.cfg.to_json()
    }

    /// The config as a dict: ``{"config_version": N, "config": {...}}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.cfg.to_json(),))
    }

    /// The preset in force: ``"copy"`` or ``"story"``.
    #[getter]
    fn preset_name(&self) -> &'static str {
        self.cfg.preset.name()
    }

    fn __repr__(&self) -> String {
        format!("Config.from_json({:?})", self.cfg.to_json())
    }
}

impl Config {
    /// The config given, or the CLI's default (the story preset).
    pub(crate) fn or_default(cfg: Option<&Config>) -> EngineConfig {
        cfg.map_or_else(|| cli_preset(Preset::Story), |c| c.cfg.clone())
    }
}
