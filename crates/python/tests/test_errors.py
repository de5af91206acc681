"""Bad input: ValueError naming the column and the row; a non-Arrow object: TypeError."""

from __future__ import annotations

import pyarrow as pa
import pytest

import storyhash

FUNCS = [storyhash.sign, storyhash.cluster, storyhash.cluster_jsonl]


@pytest.mark.parametrize("f", FUNCS)
def test_a_null_text_names_column_and_row(f) -> None:
    t = pa.table({"id": ["a", "b", "c"], "text": ["x y", None, "z"]})
    with pytest.raises(ValueError, match=r'column "text", row 1: the text is null'):
        f(t)


@pytest.mark.parametrize("f", FUNCS)
def test_a_missing_column_is_named_with_the_columns_there_are(f) -> None:
    t = pa.table({"id": ["a"], "body": ["x"]})
    with pytest.raises(ValueError, match=r'no column "text" in the input \(its columns: "id", "body"\)'):
        f(t)
    with pytest.raises(ValueError, match=r'no column "headline"'):
        f(t, text_column="body", title_column="headline")


@pytest.mark.parametrize("f", FUNCS)
def test_ids_must_be_strings_or_integers_unique_and_present(f) -> None:
    with pytest.raises(ValueError, match=r'column "id" has type Float64'):
        f(pa.table({"id": [1.5], "text": ["x"]}))
    with pytest.raises(ValueError, match=r'column "id", row 1: duplicate id "a" \(first at row 0\)'):
        f(pa.table({"id": ["a", "a"], "text": ["x", "y"]}))
    with pytest.raises(ValueError, match=r'column "id", row 0: the id is null or empty'):
        f(pa.table({"id": pa.array([None], pa.string()), "text": ["x"]}))
    with pytest.raises(ValueError, match=r'column "text" has type Int64'):
        f(pa.table({"id": ["a"], "text": [1]}))


def test_rows_are_counted_across_batches() -> None:
    a = pa.record_batch({"id": ["a", "b"], "text": ["x", "y"]})
    b = pa.record_batch({"id": ["c", "d"], "text": pa.array(["z", None], pa.string())})
    with pytest.raises(ValueError, match=r"row 3: the text is null"):
        storyhash.sign(pa.Table.from_batches([a, b]))


def test_not_arrow_data_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected Arrow data"):
        storyhash.sign([{"id": "a", "text": "x"}])


def test_an_empty_input_gives_empty_results() -> None:
    t = pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())})
    assert storyhash.sign(t).num_rows == 0
    assert storyhash.cluster(t).num_rows == 0
    assert storyhash.cluster_jsonl(t) == b""
