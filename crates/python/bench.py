"""Texts signed per second on one core: storyhash.sign from Python against the CLI's own
signing stage (`storyhash bench --threads 1`, "features"), on the same corpus, interleaved,
as a ratio; and the same for a whole clustering run (cluster_jsonl against the bench's total).

    target/pyvenv/bin/python crates/python/bench.py [--docs 5000] [--rounds 5] [--preset copy]

Needs the wheel installed (crates/python/run_tests.sh) and a release CLI
(`cargo build --release`). The corpus is synthetic (`storyhash synth`: real sentences from the
sources, 30% edited copies), written to target/bench-python/.
"""

from __future__ import annotations

import os

# One core for the engine, as the CLI's --threads 1; set before the module starts its pool.
os.environ["RAYON_NUM_THREADS"] = "1"
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow as pa  # noqa: E402

import storyhash  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "release" / "storyhash"
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2022-news-similarity" / "pairs.jsonl"
FIXTURES = ["fixtures/seeds/seed_case.jsonl", "fixtures/clough/docs.jsonl"]


def corpus(docs: int) -> Path:
    out = ROOT / "target" / "bench-python" / f"synth-{docs}.jsonl"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        sources = [str(SEMEVAL)] if SEMEVAL.exists() else FIXTURES
        subprocess.run(
            [str(CLI), "synth", "--source", *sources, "--docs", str(docs), "--seed", "1",
             "--out", str(out)],
            cwd=ROOT, check=True,
        )
    return out


def cli_seconds(path: Path, preset: str) -> tuple[float, float]:
    """The CLI bench's one-core (features, total) seconds, one repetition."""
    done = subprocess.run(
        [str(CLI), "bench", str(path), "--preset", preset, "--threads", "1", "--repeat", "1"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    row = next(line for line in done.stdout.splitlines() if re.match(r"\| 1 \|", line))
    cells = [c.strip() for c in row.strip("|").split("|")]
    return float(cells[1]), float(cells[6])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--preset", default="copy", choices=["copy", "story"])
    args = ap.parse_args()
    if not CLI.exists():
        raise SystemExit(f"no release CLI at {CLI}: run `cargo build --release` first")
    path = corpus(args.docs)
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    table = pa.table({"id": [str(r["id"]) for r in rows], "text": [r["text"] for r in rows]})
    n = table.num_rows
    mb = sum(len(t.encode()) for t in table.column("text").to_pylist()) / 1e6
    cfg = storyhash.Config.preset(args.preset)
    storyhash.sign(table.slice(0, 100), cfg)  # warm up: the pool, the pages
    sign_ratio, cluster_ratio = [], []
    print(f"{n} synthetic documents ({mb:.1f} MB of text) from {path.relative_to(ROOT)}, "
          f"{args.preset} preset, one core, {args.rounds} interleaved rounds")
    print("| round | CLI features docs/s | Python sign docs/s | ratio | CLI total docs/s | "
          "Python cluster_jsonl docs/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in range(args.rounds):
        features, total = cli_seconds(path, args.preset)
        t = time.perf_counter()
        storyhash.sign(table, cfg)
        py_sign = time.perf_counter() - t
        t = time.perf_counter()
        storyhash.cluster_jsonl(table, cfg)
        py_cluster = time.perf_counter() - t
        sign_ratio.append(features / py_sign)
        cluster_ratio.append(total / py_cluster)
        print(f"| {r + 1} | {n / features:.0f} | {n / py_sign:.0f} | {sign_ratio[-1]:.3f} | "
              f"{n / total:.0f} | {n / py_cluster:.0f} | {cluster_ratio[-1]:.3f} |")
    print(f"median ratio, Python / CLI docs/s: sign {statistics.median(sign_ratio):.3f}, "
          f"cluster {statistics.median(cluster_ratio):.3f}")


if __name__ == "__main__":
    main()
