"""Type stubs of storyhash (the package and its extension module)."""

from typing import Any, Dict, Optional, Protocol, Tuple, Union

CONFIG_VERSION: int
__version__: str

class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: Any = ...) -> Any: ...

class _ArrowArray(Protocol):
    def __arrow_c_array__(self, requested_schema: Any = ...) -> Any: ...

ArrowData = Union[_ArrowStream, _ArrowArray]
"""A pyarrow Table or RecordBatch, a polars DataFrame, a duckdb relation: anything with
``__arrow_c_stream__`` or ``__arrow_c_array__``."""

class Config:
    """The engine's settings, validated by the core."""

    def __init__(self, preset: str = "story") -> None: ...
    @staticmethod
    def preset(name: str) -> "Config": ...
    @staticmethod
    def from_json(json: str) -> "Config": ...
    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Config": ...
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def preset_name(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...

def sign(
    data: ArrowData,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
    top_terms: bool = False,
) -> Any:
    """Per-document features; a pyarrow RecordBatch when pyarrow is installed."""

def sign_rows(
    data: ArrowData,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
) -> Any:
    """Rows of the signed stage schema; a pyarrow RecordBatch when pyarrow is installed."""

def verify_pairs(config: Config, left: ArrowData, right: ArrowData) -> Any:
    """The copy preset's verified pairs; a pyarrow RecordBatch when pyarrow is installed."""

def cluster(
    data: ArrowData,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
) -> Any:
    """One row per document; a pyarrow RecordBatch when pyarrow is installed."""

def cluster_jsonl(
    data: ArrowData,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
    pairs: str = "joins",
) -> bytes: ...
def compare(
    a: str, b: str, config: Optional[Config] = None, *, ids: Tuple[str, str] = ("a", "b")
) -> Dict[str, Any]: ...
def explain(
    a: str,
    b: str,
    config: Optional[Config] = None,
    *,
    ids: Tuple[str, str] = ("a", "b"),
    terms: int = 12,
) -> Dict[str, Any]: ...
