"""storyhash: near-duplicate and same-story detection for news articles.

Arrow data goes in: anything with ``__arrow_c_stream__`` or ``__arrow_c_array__`` (a pyarrow
Table or RecordBatch, a polars DataFrame, a duckdb relation). Arrow record batches, JSONL bytes
or dicts come out, with the same results as the ``storyhash`` command line for the same records
and config. The engine runs in Rust with the GIL released, on all cores (``RAYON_NUM_THREADS``
sets how many); no Python object is made per document.

- :class:`Config`: the engine's settings (a preset, a dict or JSON), validated by the core.
- :func:`sign`: per-document features (content hash, MinHash signature, LSH band keys).
- :func:`cluster`, :func:`cluster_jsonl`: cluster a batch (rows, or the CLI's JSONL bytes).
- :func:`compare`, :func:`explain`: every measure of two texts, and why they match or not.
- :func:`sign_rows`, :func:`verify_pairs`: stage rows for a distributed driver (the Spark job
  in ``spark/``): the signed stage's columns, and the copy preset's verdicts on pairs of them.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Tuple

from . import _storyhash
from ._storyhash import CONFIG_VERSION, Config, __version__

__all__ = [
    "CONFIG_VERSION",
    "Config",
    "__version__",
    "cluster",
    "cluster_jsonl",
    "compare",
    "explain",
    "sign",
    "sign_rows",
    "verify_pairs",
]


def _record_batch(batch: Any) -> Any:
    """A result batch as a pyarrow RecordBatch, or as it is (an object with
    ``__arrow_c_array__``) when pyarrow is not installed."""
    try:
        import pyarrow
    except ImportError:
        return batch
    return pyarrow.record_batch(batch)


def sign(
    data: Any,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
    top_terms: bool = False,
) -> Any:
    """Sign a batch of texts: per-document features, from each text and the config alone.

    Returns a record batch (pyarrow's when pyarrow is installed) with one row per input row,
    in order:

    - ``id`` (string; integer ids as their decimal form);
    - ``content_hash`` (uint64): hash of the normalised words, null for a text without words;
      equal hashes are exact copies;
    - ``words`` (uint32): the number of words;
    - ``signature`` (list<uint32>): the copy lane's MinHash signature (``num_perm`` values);
    - ``band_keys`` (list<uint64>): its LSH band keys under the config's banding, null for a
      band holding the empty-set marker (an empty text is nobody's candidate). Two documents
      are copy candidates when they share a key at the same position.

    Story top terms need collection statistics (IDF and boilerplate lines counted over the
    copy clusters' earliest members of the whole collection, then each document's IDF-weighted
    vector; see the story lane in ``ARCHITECTURE.md``), so they are no feature of one text.
    ``top_terms=True`` (story preset, top-terms index) computes them over this batch as the
    collection, exactly as a batch run does, and adds ``top_terms`` (list<uint32>, the
    heaviest terms' 32-bit keys; empty for a document that is not the earliest member of its
    copy cluster) and ``copy_representative`` (the id of that earliest member, which stands
    for the document in the story index).

    ``data`` is any Arrow table or batch; ``id_column`` (strings or integers, unique, no
    nulls), ``text_column`` (strings, no nulls) and ``title_column`` (strings: a headline kept
    apart from the text, read as its first line; null or empty: none) name its columns. A
    missing column, a column of another type, a null or duplicate id or a null text raises
    ``ValueError`` naming the column and the row (0-based).
    """
    return _record_batch(
        _storyhash.sign(
            data,
            config,
            id_column=id_column,
            text_column=text_column,
            title_column=title_column,
            top_terms=top_terms,
        )
    )


def sign_rows(
    data: Any,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
) -> Any:
    """Sign a batch of articles into rows of the signed stage schema: the columns of the
    Parquet file ``storyhash sign`` writes (``id``, ``integer_id``, ``time`` (null),
    ``content_hash``, ``words``, ``signature``, ``band_keys``, ``own``, ``anchors``,
    ``line_hashes``, ``story_terms``, ``story_line_ends``, ``shingles``), one row per input
    row, in order. Unsigned engine values are stored as the signed integers of the same bits,
    as in the file (Spark has no unsigned types).

    Every row depends on its text and the config only, so batches may be signed anywhere
    (e.g. in Spark's ``mapInArrow``) and put together in input order. The columns are read as
    :func:`sign` reads them (same errors).
    """
    return _record_batch(
        _storyhash.sign_rows(
            data,
            config,
            id_column=id_column,
            text_column=text_column,
            title_column=title_column,
        )
    )


def verify_pairs(config: Config, left: Any, right: Any) -> Any:
    """The candidate pairs the copy preset joins, as ``storyhash verify`` decides them.

    ``left`` and ``right`` are aligned Arrow data: row ``i`` of each holds one document of
    candidate pair ``i``, in the signed stage schema (:func:`sign_rows`'s columns, in those
    types) plus an int64 ``position`` (the document's position in the collection; ``left``'s
    the smaller). Returns a record batch of the verified stage schema: ``a``, ``b`` (the
    positions), ``similarity``, ``evidence`` (``exact``, ``copy`` or ``contained``) and
    ``contained`` (for ``contained``, the position of the trimmed copy), sorted by position.

    The copy preset's verdict on a pair depends on its two documents alone; the story
    preset's needs collection statistics, so a story config raises ``ValueError`` (run
    ``storyhash candidates``, ``verify`` and ``link`` over the signed files instead).
    """
    return _record_batch(_storyhash.verify_pairs(config, left, right))


def cluster(
    data: Any,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
) -> Any:
    """Cluster a batch: one row per input row, in input order, so that it lines up with the
    input.

    Columns: ``id``, ``cluster`` (uint32, the cluster number of ``storyhash cluster``'s
    JSONL and CSV reports: clusters in order of their earliest member), ``representative``
    (the id of the cluster's earliest member), ``similarity`` (the preset's score against the
    representative, 4 decimals, 1.0 for the representative), ``joined_to`` and ``evidence``
    (the pair that joined the document, on the path from the representative through the
    pairs the JSONL report lists: its partner's id and ``exact``, ``copy``, ``contained`` or
    ``story``; null for the representative).

    The columns are read as :func:`sign` reads them (same errors). ``config`` defaults to the
    story preset, as the CLI's.
    """
    return _record_batch(
        _storyhash.cluster(
            data,
            config,
            id_column=id_column,
            text_column=text_column,
            title_column=title_column,
        )
    )


def cluster_jsonl(
    data: Any,
    config: Optional[Config] = None,
    *,
    id_column: str = "id",
    text_column: str = "text",
    title_column: Optional[str] = None,
    pairs: str = "joins",
) -> bytes:
    """Cluster a batch; the report is ``storyhash cluster INPUT --format jsonl``'s, byte for
    byte, for the same records and config (``title_column`` is ``--title-field``; ``pairs`` is
    ``--pairs``: ``"joins"`` or ``"all"``). Integer ids are written back as integers, as the
    CLI writes JSONL integer ids.
    """
    return _storyhash.cluster_jsonl(
        data,
        config,
        id_column=id_column,
        text_column=text_column,
        title_column=title_column,
        pairs=pairs,
    )


def compare(
    a: str,
    b: str,
    config: Optional[Config] = None,
    *,
    ids: Tuple[str, str] = ("a", "b"),
) -> dict:
    """Every similarity measure of two texts on their own (no collection: every IDF is 1),
    and whether each preset joins them: ``storyhash compare A B --format json`` parsed, where
    ``ids`` stand for the two files' paths."""
    return json.loads(_storyhash.compare_json(a, b, config, ids=ids))


def explain(
    a: str,
    b: str,
    config: Optional[Config] = None,
    *,
    ids: Tuple[str, str] = ("a", "b"),
    terms: int = 12,
) -> dict:
    """Why two texts match, or do not: the passages they share (offsets into each text's
    UTF-8 bytes), the terms that carried the story score, each preset's score, threshold and
    verdict: ``storyhash explain A B --format json`` parsed (``terms`` is ``--terms``), where
    ``ids`` stand for the two files' paths."""
    return json.loads(_storyhash.explain_json(a, b, config, ids=ids, terms=terms))
