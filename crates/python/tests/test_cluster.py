"""cluster_jsonl and cluster against the freshly built CLI, on the same records and config."""

from __future__ import annotations

import csv
import io
import json

import pyarrow as pa
import pyarrow.json as paj
import pytest

import storyhash
from conftest import CLOUGH, ROOT, SEED_CASE, records, run_cli, table

PRESETS = ["copy", "story"]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("path", [SEED_CASE, CLOUGH])
def test_cluster_jsonl_is_the_cli_output_byte_for_byte(preset: str, path: str) -> None:
    cli = run_cli("cluster", path, "--format", "jsonl", "--preset", preset, "-q")
    ours = storyhash.cluster_jsonl(table(path), storyhash.Config.preset(preset))
    assert ours == cli
    # One line per cluster; under the story preset the reference case's interview pair is
    # one of them, so two empty outputs cannot pass.
    assert cli.count(b"\n") >= 1
    if (path, preset) == (SEED_CASE, "story"):
        assert b'"members":["vna-thang-interview","wvr-thang-interview"]' in ours


@pytest.mark.parametrize("preset", PRESETS)
def test_pyarrow_json_reader_gives_the_same_bytes(preset: str) -> None:
    t = paj.read_json(ROOT / SEED_CASE)
    cli = run_cli("cluster", SEED_CASE, "--format", "jsonl", "--preset", preset, "-q")
    assert storyhash.cluster_jsonl(t, storyhash.Config.preset(preset)) == cli
    # A record batch (``__arrow_c_array__``) as well as a table (``__arrow_c_stream__``).
    batch = t.combine_chunks().to_batches()[0]
    assert storyhash.cluster_jsonl(batch, storyhash.Config.preset(preset)) == cli


@pytest.mark.parametrize("preset", PRESETS)
def test_polars_dataframe_gives_the_same_bytes(preset: str) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed (optional)")
    rows = records(SEED_CASE)
    df = pl.DataFrame({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]})
    cli = run_cli("cluster", SEED_CASE, "--format", "jsonl", "--preset", preset, "-q")
    assert storyhash.cluster_jsonl(df, storyhash.Config.preset(preset)) == cli


def test_many_batches_give_the_bytes_of_one() -> None:
    t = table(CLOUGH)
    chunked = pa.Table.from_batches(t.to_batches(max_chunksize=7))
    assert chunked.num_rows == t.num_rows and len(chunked.to_batches()) > 1
    cfg = storyhash.Config.preset("story")
    assert storyhash.cluster_jsonl(chunked, cfg) == storyhash.cluster_jsonl(t, cfg)


def test_integer_ids_titles_and_all_pairs_as_the_cli_reads_them(tmp_path) -> None:
    # Integer ids (written back as integers) and a headline apart from the text
    # (--title-field), and every verified pair (--pairs all).
    rows = []
    for n, r in enumerate(records(SEED_CASE)):
        head, _, body = r["text"].partition("\n")
        rows.append({"id": 100 + n, "title": head, "text": body})
    path = tmp_path / "titled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    t = pa.table(
        {
            "id": pa.array([r["id"] for r in rows], pa.int64()),
            "title": [r["title"] for r in rows],
            "text": [r["text"] for r in rows],
        }
    )
    for preset in PRESETS:
        cli = run_cli(
            "cluster", str(path), "--format", "jsonl", "--preset", preset, "-q",
            "--title-field", "title", "--pairs", "all",
        )
        ours = storyhash.cluster_jsonl(
            t, storyhash.Config.preset(preset), title_column="title", pairs="all"
        )
        assert ours == cli
        assert b'"id":0,"representative":100,' in ours


@pytest.mark.parametrize("preset", PRESETS)
def test_cluster_rows_are_the_cli_csv_rows_with_the_jsonl_evidence(preset: str) -> None:
    cfg = storyhash.Config.preset(preset)
    out = storyhash.cluster(table(CLOUGH), cfg)
    assert isinstance(out, pa.RecordBatch)
    assert out.num_rows == len(records(CLOUGH))
    assert out.column("id").to_pylist() == [r["id"] for r in records(CLOUGH)]
    cli_csv = run_cli("cluster", CLOUGH, "--format", "csv", "--preset", preset, "-q")
    want = {
        (int(r["cluster"]), r["id"], r["representative"], float(r["similarity"]))
        for r in csv.DictReader(io.StringIO(cli_csv.decode()))
    }
    rows = out.to_pylist()
    assert {(r["cluster"], r["id"], r["representative"], r["similarity"]) for r in rows} == want
    # Every joined document names a pair of the CLI's JSONL report, with its evidence.
    cli_jsonl = run_cli("cluster", CLOUGH, "--format", "jsonl", "--preset", preset, "-q")
    pairs = {}
    for line in cli_jsonl.splitlines():
        for p in json.loads(line)["pairs"]:
            pairs[frozenset((p["a"], p["b"]))] = p["evidence"]
    joined = [r for r in rows if r["joined_to"] is not None]
    assert len(joined) == len(pairs) > 0
    for r in joined:
        assert pairs[frozenset((r["id"], r["joined_to"]))] == r["evidence"]
    for r in rows:
        assert (r["joined_to"] is None) == (r["id"] == r["representative"])
