"""The Spark job in local[2] mode against the CLI: the same clusters (as a partition of the
ids, with the same representatives), the same stage rows, restarts from the last complete
stage. spark/run_tests.sh sets up Java, PySpark and the venv, and runs these."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import storyhash_spark  # noqa: E402

CLI = Path(os.environ.get("STORYHASH_CLI", ROOT / "target" / "debug" / "storyhash"))
SEED_CASE = ROOT / "fixtures" / "seeds" / "seed_case.jsonl"
# The large corpus: big enough that buckets overflow and components take several rounds.
LARGE_DOCS = int(os.environ.get("STORYHASH_SPARK_DOCS", "50000"))


def cli(*args: str) -> bytes:
    if not CLI.exists():
        pytest.fail(f"no CLI binary at {CLI}: spark/run_tests.sh builds it")
    done = subprocess.run([str(CLI), *args], cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"storyhash {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return done.stdout


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    if not os.environ.get("JAVA_HOME"):
        pytest.fail("JAVA_HOME is not set: run these tests with spark/run_tests.sh")
    s = (
        SparkSession.builder.master("local[2]")
        .appName("storyhash-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


def job(spark, inp: Path, out: Path, *extra: str) -> dict:
    """Run the job in this session; its report (per stage: rows, seconds, skipped)."""
    args = storyhash_spark.parse_args(["--input", str(inp), "--out", str(out), *extra])
    return storyhash_spark.run(spark, args)


def spark_clusters(out: Path) -> dict:
    """The job's clusters: representative id -> sorted member ids."""
    got: dict = {}
    for r in pq.read_table(out / "clusters").to_pylist():
        got.setdefault(r["cluster"], []).append(r["id"])
    return {k: sorted(v) for k, v in got.items()}


def cli_clusters(inp: Path) -> dict:
    """`storyhash cluster --preset copy --format jsonl`'s clusters, as ``spark_clusters``."""
    fmt = ["--input-format", "parquet"] if inp.is_dir() else []
    out = cli("cluster", str(inp), *fmt, "--preset", "copy", "--format", "jsonl", "-q")
    clusters = [json.loads(line) for line in out.splitlines()]
    return {str(c["representative"]): sorted(map(str, c["members"])) for c in clusters}


def assert_same_clusters(inp: Path, out: Path) -> None:
    want, got = cli_clusters(inp), spark_clusters(out)
    assert sum(map(len, got.values())) == sum(map(len, want.values()))
    assert sorted(got.values()) == sorted(want.values()), "the same partition of the ids"
    assert got == want, "the same representative (earliest member) for each cluster"


@pytest.fixture(scope="session")
def families(tmp_path_factory) -> Path:
    """The seed case and synthetic families of it (copies, trimmed copies, rewrites)."""
    out = tmp_path_factory.mktemp("families") / "families.jsonl"
    cli("synth", "--source", str(SEED_CASE), "--docs", "2000", "--family-rate", "0.5",
        "--out", str(out))
    return out


@pytest.fixture(scope="session")
def families_run(spark, tmp_path_factory, families) -> tuple:
    """The job's stages of ``families`` (one run, shared), and its report."""
    out = tmp_path_factory.mktemp("families-run") / "out"
    return out, job(spark, families, out)


def test_seed_case_clusters_equal_the_cli(spark, tmp_path):
    job(spark, SEED_CASE, tmp_path / "out")
    assert_same_clusters(SEED_CASE, tmp_path / "out")


def test_a_parquet_directory_is_read_in_the_cli_order(spark, tmp_path):
    # Parts whose names sort otherwise than their sizes (Spark plans large splits first).
    rows = [json.loads(line) for line in SEED_CASE.read_text().splitlines() if line.strip()]
    parts = tmp_path / "parts"
    parts.mkdir()
    cuts = [(0, 3), (3, 20), (20, len(rows))]
    for i, (a, b) in enumerate(cuts):
        t = pa.table({c: [r[c] for r in rows[a:b]] for c in ("id", "text")})
        pq.write_table(t, parts / f"part-{i}.parquet")
    (parts / "_SUCCESS").write_text("")
    out = tmp_path / "out"
    job(spark, parts, out)
    got = pq.read_table(out / "positions").sort_by("position")
    assert got.column("position").to_pylist() == list(range(len(rows)))
    assert got.column("id").to_pylist() == [r["id"] for r in rows]
    assert_same_clusters(parts, out)


def by_position(path: Path) -> list:
    t = pq.read_table(path)
    return t.sort_by("position").drop_columns(["position"]).to_pylist()


def test_synthetic_families_give_the_cli_stages_and_clusters(tmp_path, families, families_run):
    out, report = families_run
    assert_same_clusters(families, out)
    # Stage by stage, against the CLI's stage files on the same input.
    signed, cands, verified = (tmp_path / f for f in ("s.parquet", "c.parquet", "v.parquet"))
    cli("sign", str(families), "--preset", "copy", "-q", "--out", str(signed))
    cli("candidates", str(signed), "-q", "--out", str(cands))
    cli("verify", str(signed), "--candidates", str(cands), "-q", "--out", str(verified))
    assert by_position(out / "signed") == pq.read_table(signed).to_pylist()
    key = lambda p: (p["a"], p["b"])  # noqa: E731
    got = sorted(pq.read_table(out / "candidates").to_pylist(), key=key)
    assert got == pq.read_table(cands).to_pylist()
    got = sorted(pq.read_table(out / "verified").to_pylist(), key=key)
    want = pq.read_table(verified).to_pylist()
    assert {p["evidence"] for p in want} >= {"exact", "copy", "contained"}
    assert got == want
    assert report["components"]["rounds"] >= 2


def stage_files(out: Path, stage: str) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in (out / stage).iterdir()}


def test_a_complete_stage_is_skipped_and_a_lost_one_is_redone(
    spark, tmp_path, families, families_run
):
    out = tmp_path / "out"
    shutil.copytree(families_run[0], out)
    before = spark_clusters(out)
    kept = {s: stage_files(out, s) for s in storyhash_spark.STAGES}
    # Everything complete: nothing is recomputed, no file is touched.
    report = job(spark, families, out)
    assert all(report[s].get("skipped") for s in storyhash_spark.STAGES), report
    assert {s: stage_files(out, s) for s in storyhash_spark.STAGES} == kept
    # A run that died in the last stage (its files half written, no marker): the job
    # restarts there, from the stages before it.
    (out / "clusters" / "_SUCCESS").unlink()
    for p in list((out / "clusters").glob("*.parquet"))[1:]:
        p.unlink()
    report = job(spark, families, out)
    assert [s for s in storyhash_spark.STAGES if not report[s].get("skipped")] == ["clusters"]
    assert spark_clusters(out) == before
    # The last two stages gone: both redone, same clusters.
    shutil.rmtree(out / "components")
    shutil.rmtree(out / "clusters")
    report = job(spark, families, out)
    assert [s for s in storyhash_spark.STAGES if not report[s].get("skipped")] == [
        "components", "clusters"
    ]
    assert spark_clusters(out) == before


def test_the_story_preset_is_refused_saying_where_it_runs(spark, tmp_path):
    import storyhash

    cfg = tmp_path / "story.json"
    cfg.write_text(storyhash.Config.preset("story").to_json())
    with pytest.raises(storyhash_spark.JobError, match="copy preset only.*storyhash link"):
        job(spark, SEED_CASE, tmp_path / "out", "--config", str(cfg))


def test_a_duplicate_id_is_refused(spark, tmp_path):
    inp = tmp_path / "dup.jsonl"
    inp.write_text('{"id": "a", "text": "one two"}\n{"id": "a", "text": "three four"}\n')
    with pytest.raises(storyhash_spark.JobError, match="duplicate id 'a'"):
        job(spark, inp, tmp_path / "out")
    assert not (tmp_path / "out" / "positions" / "_SUCCESS").exists()


def test_a_large_synthetic_corpus_gives_the_cli_clusters(spark, tmp_path):
    inp = tmp_path / "large.jsonl"
    cli("synth", "--source", str(SEED_CASE), "--docs", str(LARGE_DOCS), "--out", str(inp))
    t = time.time()
    report = job(spark, inp, tmp_path / "out")
    took = time.time() - t
    assert_same_clusters(inp, tmp_path / "out")
    # The figures docs/spark.md quotes: rounds, and bytes per article at each stage.
    sizes = {
        s: sum(p.stat().st_size for p in (tmp_path / "out" / s).glob("*.parquet")) / LARGE_DOCS
        for s in storyhash_spark.STAGES
    }
    print(
        f"\n{LARGE_DOCS} articles: job {took:.0f} s, rounds {report['components']['rounds']}, "
        f"bytes per article {json.dumps({k: round(v, 1) for k, v in sizes.items()})}, "
        f"stages {json.dumps(report, sort_keys=True)}"
    )
