"""sign_rows and verify_pairs against the CLI's stage files: the same signed columns as
`storyhash sign`, the same verdicts as `storyhash verify` on the same candidates."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import storyhash
from conftest import SEED_CASE, run_cli, table


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    """The seed case with synthetic copies, trimmed copies and rewrites of it."""
    out = tmp_path_factory.mktemp("corpus") / "synth.jsonl"
    run_cli("synth", "--source", SEED_CASE, "--docs", "400", "--family-rate", "0.5",
            "--out", str(out))
    return str(out)


def cli_stages(tmp, corpus: str, preset: str):
    """`storyhash sign`, `candidates` and `verify` of ``corpus``: the three tables."""
    signed, cands, verified = (str(tmp / f) for f in ("s.parquet", "c.parquet", "v.parquet"))
    run_cli("sign", corpus, "--preset", preset, "-q", "--out", signed)
    run_cli("candidates", signed, "-q", "--out", cands)
    run_cli("verify", signed, "--candidates", cands, "-q", "--out", verified)
    return pq.read_table(signed), pq.read_table(cands), pq.read_table(verified)


@pytest.mark.parametrize("preset", ["copy", "story"])
def test_sign_rows_equal_the_signed_file_of_storyhash_sign(tmp_path, corpus, preset):
    out = tmp_path / "s.parquet"
    run_cli("sign", corpus, "--preset", preset, "-q", "--out", str(out))
    cli = pq.read_table(out)
    rows = storyhash.sign_rows(table(corpus), storyhash.Config.preset(preset))
    assert rows.schema.equals(cli.schema, check_metadata=False)
    assert pa.Table.from_batches([rows]).to_pylist() == cli.to_pylist()


def test_sign_rows_in_any_batches_equal_one_batch(corpus):
    t = table(corpus)
    cfg = storyhash.Config.preset("copy")
    whole = storyhash.sign_rows(t, cfg).to_pylist()
    parts = [storyhash.sign_rows(t.slice(i, 37), cfg).to_pylist() for i in range(0, len(t), 37)]
    assert [r for p in parts for r in p] == whole


def sides(signed: pa.Table, pairs: pa.Table):
    """The aligned left and right rows of ``pairs`` (the signed rows of a and of b)."""
    with_pos = signed.append_column("position", pa.array(range(len(signed)), pa.int64()))
    return (with_pos.take(pairs.column("a")), with_pos.take(pairs.column("b")))


def test_verify_pairs_equal_storyhash_verify_on_its_candidates(tmp_path, corpus):
    signed, cands, verified = cli_stages(tmp_path, corpus, "copy")
    assert len(verified) > 0 and set(verified.column("evidence").to_pylist()) >= {
        "exact", "copy", "contained"
    }, "the corpus exercises every copy-preset evidence"
    left, right = sides(signed, cands)
    got = storyhash.verify_pairs(storyhash.Config.preset("copy"), left, right)
    assert got.schema.equals(verified.schema, check_metadata=False)
    assert got.to_pylist() == verified.to_pylist()


def test_verify_pairs_does_not_depend_on_how_pairs_are_batched(tmp_path, corpus):
    signed, cands, verified = cli_stages(tmp_path, corpus, "copy")
    left, right = sides(signed, cands)
    cfg = storyhash.Config.preset("copy")
    # Reversed, in small chunks: each chunk is verified in a collection of its own rows.
    order = pa.array(list(reversed(range(len(cands)))))
    left, right = left.take(order), right.take(order)
    got = []
    for i in range(0, len(cands), 50):
        got += storyhash.verify_pairs(cfg, left.slice(i, 50), right.slice(i, 50)).to_pylist()
    assert sorted(got, key=lambda p: (p["a"], p["b"])) == verified.to_pylist()


def test_verify_pairs_refuses_the_story_preset_and_says_where_it_runs(tmp_path, corpus):
    signed, cands, _ = cli_stages(tmp_path, corpus, "story")
    left, right = sides(signed, cands.slice(0, 5))
    with pytest.raises(ValueError, match="copy preset only.*storyhash candidates"):
        storyhash.verify_pairs(storyhash.Config.preset("story"), left, right)


def test_verify_pairs_refuses_unaligned_or_unordered_pairs(tmp_path, corpus):
    signed, cands, _ = cli_stages(tmp_path, corpus, "copy")
    cfg = storyhash.Config.preset("copy")
    left, right = sides(signed, cands.slice(0, 5))
    with pytest.raises(ValueError, match="not aligned"):
        storyhash.verify_pairs(cfg, left, right.slice(0, 4))
    with pytest.raises(ValueError, match="is not a pair of positions a < b"):
        storyhash.verify_pairs(cfg, right, left)
    with pytest.raises(ValueError, match="no column \"position\""):
        storyhash.verify_pairs(cfg, left.drop_columns(["position"]), right)
