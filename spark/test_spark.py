"""The Spark job in local[2] mode against the CLI: the same clusters (as a partition of the
ids, with the same representatives), the same stage rows, restarts from the last complete
stage; the story preset's windows against the CLI (one window) and against the rule computed
here with the wheel alone (several). spark/run_tests.sh sets up Java, PySpark and the venv,
and runs these."""

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


def cli_clusters(inp: Path, preset: str = "copy") -> dict:
    """`storyhash cluster --preset PRESET --format jsonl`'s clusters, as ``spark_clusters``."""
    fmt = ["--input-format", "parquet"] if inp.is_dir() else []
    out = cli("cluster", str(inp), *fmt, "--preset", preset, "--format", "jsonl", "-q")
    clusters = [json.loads(line) for line in out.splitlines()]
    return {str(c["representative"]): sorted(map(str, c["members"])) for c in clusters}


def assert_same_clusters(inp: Path, out: Path, preset: str = "copy") -> None:
    want, got = cli_clusters(inp, preset), spark_clusters(out)
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


# The story preset, by windows of the input order.

# Several windows over the 2,000 families: 4 windows of 700 (starts 0, 550, 1100, 1650).
STORY_WINDOWS = ("--window", "700", "--overlap", "150")


@pytest.fixture(scope="session")
def story_config(tmp_path_factory) -> Path:
    import storyhash

    path = tmp_path_factory.mktemp("story") / "story.json"
    path.write_text(storyhash.Config.preset("story").to_json())
    return path


@pytest.fixture(scope="session")
def story_run(spark, tmp_path_factory, families, story_config) -> tuple:
    """The story job's stages of ``families`` in one window (the default), and its report."""
    out = tmp_path_factory.mktemp("story-run") / "out"
    return out, job(spark, families, out, "--config", str(story_config))


@pytest.fixture(scope="session")
def story_windows_run(spark, tmp_path_factory, families, story_config) -> tuple:
    """The story job's stages of ``families`` in several windows, and its report."""
    out = tmp_path_factory.mktemp("story-windows-run") / "out"
    return out, job(spark, families, out, "--config", str(story_config), *STORY_WINDOWS)


def window_reference(inp: Path, size: int, overlap: int) -> tuple:
    """The rule, without Spark: the JSONL's rows in file order, each window clustered by
    ``storyhash.cluster`` with the story preset, the windows' (member, representative) pairs
    unioned, each component named by its earliest member. The clusters (as
    ``spark_clusters``) and the windows, as (start, end) positions."""
    import storyhash

    rows = [json.loads(line) for line in inp.read_text().splitlines() if line.strip()]
    ids = [str(r["id"]) for r in rows]
    table = pa.table({"id": ids, "text": [r["text"] for r in rows]})
    cfg = storyhash.Config.preset("story")
    parent = list(range(len(rows)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    windows, start = [], 0
    while True:
        end = min(start + size, len(rows))
        windows.append((start, end))
        run = storyhash.cluster(table.slice(start, end - start), cfg).to_pydict()
        at = {d: start + i for i, d in enumerate(run["id"])}
        for member, rep in zip(run["id"], run["representative"]):
            a, b = find(at[member]), find(at[rep])
            parent[max(a, b)] = min(a, b)
        if start + size >= len(rows):
            break
        start += size - overlap
    clusters: dict = {}
    for p in range(len(rows)):
        clusters.setdefault(ids[find(p)], []).append(p)
    return clusters, windows


def test_story_seed_case_in_one_window_gives_the_cli_clusters(spark, tmp_path, story_config):
    out = tmp_path / "out"
    report = job(spark, SEED_CASE, out, "--config", str(story_config))
    assert report["windows"]["windows"] == 1
    assert_same_clusters(SEED_CASE, out, "story")
    # The case the story preset exists for: the two write-ups of the interview are one
    # story, and none of the blurbs published after them ("See more", "Related News") is.
    want = cli_clusters(SEED_CASE, "story")
    interview = next(m for m in want.values() if "vna-thang-interview" in m)
    assert "wvr-thang-interview" in interview
    assert not [i for i in interview if "-blurb-" in i or "-related-" in i], interview


def test_story_families_in_one_window_give_the_cli_clusters(families, story_run):
    out, report = story_run
    assert report["windows"]["windows"] == 1
    assert_same_clusters(families, out, "story")


def test_story_windows_give_the_union_of_the_windows_clusters(families, story_run,
                                                              story_windows_run):
    out, report = story_windows_run
    want, windows = window_reference(families, 700, 150)
    assert report["windows"]["windows"] == len(windows) == 4
    got = spark_clusters(out)
    ids = [str(json.loads(line)["id"]) for line in families.read_text().splitlines()
           if line.strip()]
    assert got == {k: sorted(ids[p] for p in v) for k, v in want.items()}
    # Not a trivial case: some cluster was joined through an overlap (no one window holds
    # all its members).
    across = [m for m in want.values()
              if not any(s <= min(m) and max(m) < e for s, e in windows)]
    assert across, "no cluster spans two windows: pick other window sizes"
    # What the windows change against one window: reported, not pinned.
    one = {i: rep for rep, members in spark_clusters(story_run[0]).items() for i in members}
    many = {i: rep for rep, members in got.items() for i in members}
    moved = sorted(i for i in one if one[i] != many[i])
    print(
        f"\nstory, 2,000 families: one window {len(set(one.values()))} clusters, "
        f"{len(windows)} windows {len(set(many.values()))} clusters, "
        f"{len(across)} across windows, {len(moved)} articles named otherwise"
    )


def test_story_window_options_are_checked(spark, tmp_path, families, story_config,
                                          story_windows_run):
    with pytest.raises(storyhash_spark.JobError, match="overlap must be .* less than"):
        job(spark, families, tmp_path / "a", "--config", str(story_config),
            "--window", "100", "--overlap", "100")
    with pytest.raises(storyhash_spark.JobError, match="at least 1 article"):
        job(spark, families, tmp_path / "b", "--config", str(story_config), "--window", "0")
    with pytest.raises(storyhash_spark.JobError, match="--window is for the story preset"):
        job(spark, families, tmp_path / "c", "--window", "100")
    with pytest.raises(storyhash_spark.JobError,
                       match="--window and --overlap are for the story preset"):
        job(spark, families, tmp_path / "d", "--window", "100", "--overlap", "10")
    for d in "abcd":
        assert not (tmp_path / d).exists()
    # Stages made with other windows are not reused, nor overwritten.
    out = story_windows_run[0]
    with pytest.raises(storyhash_spark.JobError,
                       match="--window 700 --overlap 150, not --window 700 --overlap 70"):
        job(spark, families, out, "--config", str(story_config), "--window", "700")
    assert json.loads((out / "_story.json").read_text()) == {"window": 700, "overlap": 150}


def test_story_a_second_run_skips_every_stage(spark, tmp_path, families, story_config,
                                              story_windows_run):
    out = tmp_path / "out"
    shutil.copytree(story_windows_run[0], out)
    before = spark_clusters(out)
    kept = {s: stage_files(out, s) for s in storyhash_spark.STORY_STAGES}
    report = job(spark, families, out, "--config", str(story_config), *STORY_WINDOWS)
    assert all(report[s].get("skipped") for s in storyhash_spark.STORY_STAGES), report
    assert {s: stage_files(out, s) for s in storyhash_spark.STORY_STAGES} == kept
    assert spark_clusters(out) == before
