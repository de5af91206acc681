"""sign: band keys as the core bands signatures, across input kinds and thread counts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from itertools import combinations

import pyarrow as pa
import pytest

import storyhash
from conftest import CLOUGH, ROOT, SEED_CASE, records, run_cli, table


def copy_no_contain() -> storyhash.Config:
    d = storyhash.Config.preset("copy").to_dict()
    d["config"]["copy"]["contain"] = None
    return storyhash.Config.from_dict(d)


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> str:
    """A corpus of edited copies of the reference case's texts, from ``storyhash synth``."""
    out = tmp_path_factory.mktemp("synth") / "synth.jsonl"
    run_cli("synth", "--source", SEED_CASE, CLOUGH, "--docs", "400", "--seed", "7",
            "--out", str(out))
    return str(out)


def test_band_count_is_the_banding_the_cli_chooses() -> None:
    # `cluster --verbose` prints the copy lane's bands x rows chosen for the threshold.
    done = subprocess.run(
        [str(ROOT / "target/debug/storyhash"), "cluster", SEED_CASE, "--preset", "copy",
         "--format", "jsonl", "--verbose"],
        cwd=ROOT, capture_output=True, check=True,
    )
    bands, rows = map(int, re.search(rb"(\d+) bands x (\d+) rows", done.stderr).groups())
    out = storyhash.sign(table(SEED_CASE), storyhash.Config.preset("copy"))
    assert out.schema.field("band_keys").type == pa.list_(pa.uint64())
    assert out.schema.field("signature").type == pa.list_(pa.field("item", pa.uint32(), False))
    for keys, sig in zip(out.column("band_keys").to_pylist(), out.column("signature").to_pylist()):
        assert len(keys) == bands and len(sig) == 128 and bands * rows <= 128


def test_every_copy_pair_the_cli_joins_shares_a_band_key(synth: str) -> None:
    # Without containment every non-exact copy pair was an LSH candidate: it must share a band
    # key at one position. A band key computed otherwise than the core's would miss pairs.
    cfg = copy_no_contain()
    signed = storyhash.sign(table(synth), cfg).to_pylist()
    by_id = {r["id"]: r for r in signed}
    cli = run_cli("cluster", synth, "--preset", "copy", "--no-contain", "--pairs", "all",
                  "--format", "jsonl", "-q")
    copies = [p for line in cli.splitlines() for p in json.loads(line)["pairs"]
              if p["evidence"] == "copy"]
    assert len(copies) > 20
    for p in copies:
        a, b = by_id[p["a"]], by_id[p["b"]]
        assert any(x is not None and x == y for x, y in zip(a["band_keys"], b["band_keys"]))
    # And pairs sharing no key were never joined as copies (but for exact copies).
    joined = {frozenset((p["a"], p["b"])) for p in copies}
    for a, b in combinations(signed[:120], 2):
        shared = any(x is not None and x == y for x, y in zip(a["band_keys"], b["band_keys"]))
        if not shared and a["content_hash"] != b["content_hash"]:
            assert frozenset((a["id"], b["id"])) not in joined


def test_exact_copies_share_hash_signature_and_keys_and_empty_texts_have_no_keys() -> None:
    text = records(SEED_CASE)[0]["text"]
    t = pa.table({"id": ["x", "y", "z"], "text": [text, text.upper(), "  ... "]})
    x, y, z = storyhash.sign(t, storyhash.Config.preset("copy")).to_pylist()
    assert x["content_hash"] == y["content_hash"] is not None
    assert x["signature"] == y["signature"] and x["band_keys"] == y["band_keys"]
    assert z["content_hash"] is None and z["words"] == 0
    assert all(k is None for k in z["band_keys"])


def test_pyarrow_batch_table_and_polars_give_the_same_rows() -> None:
    t = table(CLOUGH)
    cfg = storyhash.Config.preset("story")
    want = storyhash.sign(t, cfg)
    assert storyhash.sign(t.combine_chunks().to_batches()[0], cfg).equals(want)
    assert storyhash.sign(pa.Table.from_batches(t.to_batches(max_chunksize=9)), cfg).equals(want)
    big = t.cast(pa.schema([("id", pa.large_string()), ("text", pa.large_string())]))
    assert storyhash.sign(big, cfg).equals(want)
    try:
        import polars as pl
    except ImportError:
        pytest.skip("polars is not installed (optional): pyarrow inputs checked")
    assert storyhash.sign(pl.from_arrow(t), cfg).equals(want)


def test_top_terms_come_from_the_batch_as_collection() -> None:
    t = table(SEED_CASE)
    out = storyhash.sign(t, storyhash.Config.preset("story"), top_terms=True).to_pylist()
    first = {r["id"]: r for r in out}
    a, b = first["vna-thang-interview"], first["wvr-thang-interview"]
    assert 0 < len(a["top_terms"]) <= 32 and len(set(a["top_terms"]) & set(b["top_terms"])) >= 2
    # Over a different collection the same text weighs its terms differently.
    alone = storyhash.sign(t.slice(0, 2), storyhash.Config.preset("story"), top_terms=True)
    assert alone.column("top_terms").to_pylist()[0] != a["top_terms"]
    with pytest.raises(ValueError, match="top_terms=True needs the story preset"):
        storyhash.sign(t, storyhash.Config.preset("copy"), top_terms=True)


_DIGEST = """
import hashlib, json, sys
import pyarrow as pa, storyhash
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
t = pa.table({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]})
h = hashlib.sha256()
for preset in ("copy", "story"):
    cfg = storyhash.Config.preset(preset)
    b = storyhash.sign(t, cfg, top_terms=preset == "story")
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, b.schema) as w:
        w.write_batch(b)
    h.update(sink.getvalue().to_pybytes())
    h.update(storyhash.cluster_jsonl(t, cfg))
print(h.hexdigest())
"""


def test_the_same_bytes_on_one_thread_and_on_two(synth: str) -> None:
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        done = subprocess.run([sys.executable, "-c", _DIGEST, synth], env=env,
                              capture_output=True, check=True, text=True)
        digests.append(done.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_the_gil_is_released_while_the_core_signs() -> None:
    # A Python thread keeps counting while another signs: with the GIL held for the whole
    # call it could not run at all until the call returned.
    import threading

    texts = [r["text"] for r in records(CLOUGH)] * 40
    t = pa.table({"id": [str(i) for i in range(len(texts))], "text": texts})
    done = threading.Event()
    count = 0

    def work() -> None:
        storyhash.sign(t, storyhash.Config.preset("story"))
        done.set()

    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    while not done.is_set():
        count += 1
    worker.join()
    took = time.perf_counter() - started
    assert took > 0.05, f"the call took {took:.3f} s: too short to tell"
    assert count > 10_000, f"the counting thread ran {count} times in {took:.3f} s"
