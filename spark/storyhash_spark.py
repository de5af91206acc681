"""storyhash on Spark: a corpus's clusters, computed in stages that each write Parquet. The
copy preset's equal ``storyhash cluster --preset copy``'s; the story preset's are made by
windows of the input order, under the rule below.

The copy preset (the default config):

    positions   input rows with their 0-based position (the CLI's input order)
    signed      the signed stage's columns (``storyhash sign``'s), signed by the wheel in
                ``mapInArrow``
    candidates  pairs (a < b): exact copies by content hash, LSH band buckets, shared lead
                anchors; exact copies stay out of both indexes; oversized buckets pair each
                member with its first member only, as the core does
    verified    the pairs the copy preset joins, decided by the wheel (``verify_pairs``)
    components  every document in a verified pair and its component's smallest position,
                by large-star / small-star (Kiveris et al. 2014, "Connected Components in
                MapReduce and Beyond")
    clusters    position, id and cluster (the id of the cluster's earliest member)

The story preset (a story config given with ``--config``):

    positions   as above
    windows     edges (window, position, rep): window w holds positions [w*S, w*S + N),
                with N = ``--window``, S = N - ``--overlap``, the last window the first that
                reaches the last position; each window is clustered by the wheel
                (``storyhash.cluster``) in ``applyInArrow``, and every article that is not
                its window cluster's earliest member gives an edge to that member (``rep``)
    components  as above, over the edges of every window
    clusters    as above

The rule: the story preset's clusters on Spark are the connected components of the union of
each window's clusters, where a window's clusters are exactly ``storyhash cluster --preset
story`` (same config) over that window's articles in input order; a cluster is named by its
earliest member. With one window (N at least the number of articles) they are exactly the
CLI's clusters. The story preset's collection statistics (term weights, boilerplate lines)
and its average linkage are functions of the articles clustered together, so no pair can be
decided alone; a window is a collection small enough for one task. Stories are local in
time, so an archive in time order makes position windows time windows, and the overlap lets
a story that crosses a window's edge join up. What it costs: a story spread over more than
the overlap can be cut in two, and two window clusters that share an article are chained
into one (docs/spark.md, "The story preset").

A stage is complete when its directory holds ``_SUCCESS``, written by this job after the
stage's files (Spark's own marker is turned off); a complete stage is read back, not
recomputed, so a failed run restarts from the last complete stage. Every value is a function
of the input, the config (and the window settings), never of the partitioning: positions come
from the input order, a window's articles are clustered in position order, components are
labelled by their smallest position. ``OUT/_config.json`` holds the config (and
``OUT/_story.json`` the window settings): a rerun under others on the same ``OUT`` is refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Callable, Iterator, List, Optional

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import storyhash

STAGES = ["positions", "signed", "candidates", "verified", "components", "clusters"]
STORY_STAGES = ["positions", "windows", "components", "clusters"]
# Articles a story window holds by default: a window is one Arrow table in one task
# (docs/spark.md, "The story preset", on what fits an executor).
DEFAULT_WINDOW = 50_000

# The signed stage schema as Spark declares it (Spark has no unsigned types: the file stores
# the engine's unsigned values as signed integers of the same bits), led by the position.
SIGNED_DDL = (
    "position BIGINT, id STRING, integer_id BOOLEAN, time BIGINT, content_hash BIGINT, "
    "words INT, signature ARRAY<INT>, band_keys ARRAY<BIGINT>, own ARRAY<BIGINT>, "
    "anchors ARRAY<INT>, line_hashes ARRAY<BIGINT>, story_terms ARRAY<INT>, "
    "story_line_ends ARRAY<INT>, shingles ARRAY<BIGINT>"
)
VERIFIED_DDL = "a BIGINT, b BIGINT, similarity DOUBLE, evidence STRING, contained BIGINT"
# What verification reads of a document (band keys are spent once candidates are found).
VERIFY_COLUMNS = [
    "id", "integer_id", "time", "content_hash", "words", "signature", "own", "anchors",
    "line_hashes", "story_terms", "story_line_ends", "shingles",
]
# A story window's edges: an article and its window cluster's earliest member (positions).
WINDOW_EDGES_DDL = "window BIGINT, position BIGINT, rep BIGINT"
# The padding of a document's lead anchors (the core's EMPTY, u32::MAX, as an int32).
EMPTY_ANCHOR = -1


class JobError(Exception):
    """A problem with the job's input or settings, said in words for the user."""


def anchors_needed(m):
    """Anchors two leads must share when the shorter has ``m`` (the core's
    ``contain::anchors_needed``): half, at least 3 (all, below 3), at least 1."""
    half = F.ceil(m / F.lit(2)).cast("int")
    return F.greatest(F.least(m, F.lit(3)), half, F.lit(1))


class Stages:
    """The stage directories under ``out``: which are complete, and how to mark one."""

    def __init__(self, spark: SparkSession, out: str):
        self.spark = spark
        self.out = out.rstrip("/")
        jvm = spark.sparkContext._jvm
        self._path = jvm.org.apache.hadoop.fs.Path
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        self._fs = self._path(self.out).getFileSystem(conf)

    def dir(self, stage: str) -> str:
        return f"{self.out}/{stage}"

    def done(self, stage: str) -> bool:
        return self._fs.exists(self._path(f"{self.dir(stage)}/_SUCCESS"))

    def write_text(self, path: str, text: str) -> None:
        stream = self._fs.create(self._path(path), True)
        stream.write(bytearray(text.encode("utf-8")))
        stream.close()

    def read_text(self, path: str) -> Optional[str]:
        p = self._path(path)
        if not self._fs.exists(p):
            return None
        stream = self._fs.open(p)
        reader = self.spark.sparkContext._jvm.java.io.BufferedReader(
            self.spark.sparkContext._jvm.java.io.InputStreamReader(stream, "UTF-8")
        )
        lines = []
        line = reader.readLine()
        while line is not None:
            lines.append(line)
            line = reader.readLine()
        reader.close()
        return "\n".join(lines)

    def remove(self, path: str) -> None:
        self._fs.delete(self._path(path), True)

    def finish(self, stage: str, stats: dict) -> None:
        """Mark ``stage`` complete, with its statistics (``_stats.json``) written first."""
        self.write_text(f"{self.dir(stage)}/_stats.json", json.dumps(stats, sort_keys=True))
        self.write_text(f"{self.dir(stage)}/_SUCCESS", "")

    def stats(self, stage: str) -> dict:
        return json.loads(self.read_text(f"{self.dir(stage)}/_stats.json") or "{}")


def read_input(spark: SparkSession, path: str, fmt: str, fields: dict) -> DataFrame:
    """The input's id, text (and title) columns with their position: rows in the order the
    CLI reads them."""
    if fmt == "parquet":
        df = spark.read.parquet(path)
    else:
        df = spark.read.json(path)
    for role, name in fields.items():
        if name is not None and name not in df.columns:
            raise JobError(
                f"{path}: no field {name!r} for the {role} (its fields: {', '.join(df.columns)})"
            )
    cols = [F.col(fields["id"]).alias("id"), F.col(fields["text"]).alias("text")]
    if fields.get("title"):
        cols.append(F.col(fields["title"]).alias("title"))
    # A row's place in the input: files by name (a directory's parts, as the CLI orders
    # them), a file's splits by their byte offset, rows within a split in order. Spark packs
    # splits into partitions as it likes, but the rows of one split stay contiguous and in
    # order in one partition, and the monotonic id counts rows within a partition: so a row's
    # position is the rows of the splits before its own plus its id less its split's first.
    # (No Python round trip: the texts stay in the JVM.)
    split = ["_file", "_block"]
    df = df.select(
        *cols,
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_mid"),
    )
    splits = sorted(
        (r["_file"], r["_block"], r["first"], r["rows"])
        for r in df.groupBy(*split).agg(F.min("_mid").alias("first"), F.count("*").alias("rows"))
        .collect()
    )
    starts, total = [], 0
    for file, block, first, rows in splits:
        starts.append((file, block, total - first))
        total += rows
    starts = spark.createDataFrame(starts, "_file STRING, _block BIGINT, _shift BIGINT")
    return df.join(F.broadcast(starts), on=split).select(
        (F.col("_mid") + F.col("_shift")).alias("position"),
        *[c for c in df.columns if not c.startswith("_")],
    )


def sign_batches(config_json: str, title: bool) -> Callable[[Iterator[pa.RecordBatch]], Iterator]:
    """The ``mapInArrow`` function of the signed stage."""

    def sign(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # One engine thread per task: Spark runs a task per core already.
        os.environ.setdefault("RAYON_NUM_THREADS", "1")
        import pyarrow as pa
        import storyhash

        cfg = storyhash.Config.from_json(config_json)
        target = None
        for batch in batches:
            rows = storyhash.sign_rows(
                batch, cfg, title_column="title" if title else None
            )
            rows = pa.Table.from_batches([rows]).add_column(
                0, "position", batch.column("position")
            )
            if target is None:
                target = _arrow_schema(rows.schema)
            yield from rows.cast(target).to_batches()

    return sign


def _arrow_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every field nullable (as Spark declares its columns)."""
    def nullable(t):
        if pa.types.is_list(t):
            return pa.list_(pa.field("element", nullable(t.value_type), True))
        return t

    return pa.schema([pa.field(f.name, nullable(f.type), True) for f in schema])


def verify_batches(config_json: str) -> Callable[[Iterator[pa.RecordBatch]], Iterator]:
    """The ``mapInArrow`` function of the verified stage: rows of ``a_*`` and ``b_*``
    columns (a candidate pair's two signed rows) in, the pairs the copy preset joins out."""

    def verify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        os.environ.setdefault("RAYON_NUM_THREADS", "1")
        import pyarrow as pa
        import storyhash

        cfg = storyhash.Config.from_json(config_json)
        names = ["position", *VERIFY_COLUMNS]

        def side(batch: pa.RecordBatch, prefix: str) -> pa.RecordBatch:
            cols = [_strict(batch.column(prefix + n)) for n in names]
            return pa.RecordBatch.from_arrays(cols, names=names)

        for batch in batches:
            if batch.num_rows == 0:
                continue
            yield storyhash.verify_pairs(cfg, side(batch, "a_"), side(batch, "b_"))

    return verify


def _strict(col: pa.Array) -> pa.Array:
    """A column as the signed schema types it: Spark may hand strings and lists over in their
    64-bit-offset forms."""
    t = col.type
    if pa.types.is_large_string(t):
        return col.cast(pa.string())
    if pa.types.is_large_list(t):
        return col.cast(pa.list_(t.value_type))
    return col


def bucket_pairs(members: DataFrame, group: List[str], max_bucket: int) -> DataFrame:
    """Pairs ``(a, b)`` of documents (``position``) sharing a bucket (``group``), with one row
    per bucket they share: every pair of a bucket of at most ``max_bucket``; in a larger one,
    each member with the bucket's first (smallest) position only (the core's rule, which keeps
    a bucket of near-copies connected at a linear cost)."""
    sized = members.groupBy(*group).agg(
        F.count("*").alias("size"), F.min("position").alias("first")
    ).filter(F.col("size") >= 2)
    keyed = members.join(sized, on=group)
    big = keyed.filter((F.col("size") > max_bucket) & (F.col("position") != F.col("first")))
    big = big.select(F.col("first").alias("a"), F.col("position").alias("b"))
    small = keyed.filter(F.col("size") <= max_bucket).select(*group, "position")
    x, y = small.alias("x"), small.alias("y")
    cond = [F.col(f"x.{g}") == F.col(f"y.{g}") for g in group]
    cond.append(F.col("x.position") < F.col("y.position"))
    pairs = x.join(y, on=cond).select(
        F.col("x.position").alias("a"), F.col("y.position").alias("b")
    )
    return big.unionByName(pairs)


def candidates(signed: DataFrame, cfg: dict) -> DataFrame:
    """Candidate pairs of the copy preset, as ``Collection::candidates`` finds them."""
    copy = cfg["config"]["copy"]
    max_bucket = int(copy["max_bucket"])
    docs = signed.select("position", "content_hash", "band_keys", "anchors")
    # Exact copies: each paired with the first document with its content, and kept out of
    # both indexes.
    firsts = (
        docs.filter(F.col("content_hash").isNotNull())
        .groupBy("content_hash")
        .agg(F.min("position").alias("first"))
    )
    with_first = docs.join(firsts, on="content_hash", how="left")
    exact = with_first.filter(F.col("first") != F.col("position")).select(
        F.col("first").alias("a"), F.col("position").alias("b")
    )
    indexed = with_first.filter(F.col("first").isNull() | (F.col("first") == F.col("position")))
    # Band buckets (a null key: a band holding the empty-set marker, in nobody's bucket).
    bands = indexed.select("position", F.posexplode("band_keys").alias("band", "key")).filter(
        F.col("key").isNotNull()
    )
    pairs = bucket_pairs(bands, ["band", "key"], max_bucket).distinct()
    # Lead anchors: a pair is kept when it shares enough of them for the shorter lead.
    held = indexed.select("position", F.explode("anchors").alias("anchor")).filter(
        F.col("anchor") != EMPTY_ANCHOR
    )
    if copy.get("contain") is not None:
        counts = indexed.select(
            "position",
            F.size(F.filter("anchors", lambda v: v != EMPTY_ANCHOR)).alias("anchors"),
        )
        shared = bucket_pairs(held, ["anchor"], max_bucket).groupBy("a", "b").count()
        ca, cb = counts.alias("ca"), counts.alias("cb")
        leads = (
            shared.join(ca, F.col("a") == F.col("ca.position"))
            .join(cb, F.col("b") == F.col("cb.position"))
            .filter(F.col("count") >= anchors_needed(F.least("ca.anchors", "cb.anchors")))
            .select("a", "b")
        )
        pairs = pairs.unionByName(leads)
    return pairs.unionByName(exact).distinct()


def verified(cands: DataFrame, signed: DataFrame, config_json: str) -> DataFrame:
    """Candidates with both documents' signed rows, decided by the wheel."""
    rows = signed.select("position", *VERIFY_COLUMNS)
    a = rows.select([F.col(c).alias("a_" + c) for c in rows.columns])
    b = rows.select([F.col(c).alias("b_" + c) for c in rows.columns])
    joined = cands.join(a, F.col("a") == F.col("a_position")).join(
        b, F.col("b") == F.col("b_position")
    )
    joined = joined.select(*a.columns, *b.columns)
    return joined.mapInArrow(verify_batches(config_json), VERIFIED_DDL)


def window_count(rows: int, size: int, overlap: int) -> int:
    """How many windows of ``size`` articles, each starting ``size - overlap`` after the one
    before, cover ``rows`` positions: the last is the first that reaches the last position, so
    every position is in a window and no window is empty (each starts before ``rows``)."""
    if rows <= size:
        return 1
    step = size - overlap
    return -(-(rows - size) // step) + 1


def windowed(positions: DataFrame, size: int, overlap: int, count: int) -> DataFrame:
    """The rows of ``positions`` with their ``window``, once for each window holding them
    (window w holds positions [w*step, w*step + size), step = size - overlap; at most
    ceil(size / step) windows hold a position)."""
    step = size - overlap
    # Windows w with w*step <= p < w*step + size: from the first whose end passes p to the
    # last starting at or before p (integer division: p - size is >= 0 where it is used).
    first = F.expr(f"CASE WHEN position < {size} THEN 0L "
                   f"ELSE (position - {size}) div {step} + 1 END")
    last = F.least(F.expr(f"position div {step}"), F.lit(count - 1).cast("long"))
    return positions.withColumn("window", F.explode(F.sequence(first, last)))


def cluster_windows(config_json: str, title: bool) -> Callable[[pa.Table], pa.Table]:
    """The ``applyInArrow`` function of the windows stage: a window's articles in, an edge
    (window, position, rep) out for each article that is not the earliest member of its
    cluster in the window."""

    def cluster(table: pa.Table) -> pa.Table:
        os.environ.setdefault("RAYON_NUM_THREADS", "1")
        import pyarrow as pa
        import pyarrow.compute as pc
        import storyhash

        cfg = storyhash.Config.from_json(config_json)
        # A group's rows come in no particular order; the story preset's clusters depend on
        # the order (representatives, ties), so give it the input order.
        table = table.sort_by("position")
        run = storyhash.cluster(
            table, cfg, id_column="id", text_column="text",
            title_column="title" if title else None,
        )
        positions = table.column("position").combine_chunks()
        # The run's rows line up with the table's: a representative's row is its position.
        rows = pc.index_in(run.column("representative"), value_set=run.column("id"))
        reps = pc.take(positions, rows)
        joined = pc.not_equal(positions, reps)
        positions, reps = positions.filter(joined), reps.filter(joined)
        window = pa.repeat(table.column("window")[0], len(positions))
        return pa.table({"window": window, "position": positions, "rep": reps})

    return cluster


def window_edges(positions: DataFrame, config_json: str, title: bool, size: int,
                 overlap: int, count: int) -> DataFrame:
    """Every story window's edges: its articles (``id``, ``text``, ``title``) grouped by
    window and clustered by the wheel."""
    cols = ["position", "id", "text"] + (["title"] if title else [])
    rows = windowed(positions.select(*cols), size, overlap, count)
    return rows.groupBy("window").applyInArrow(
        cluster_windows(config_json, title), WINDOW_EDGES_DDL
    )


def large_star(edges: DataFrame) -> DataFrame:
    """Each node's larger neighbours joined to the smallest of its neighbourhood (itself
    included)."""
    both = edges.unionByName(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))
    m = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return (
        both.filter(F.col("v") > F.col("u"))
        .join(m, on="u")
        .select(F.col("v").alias("u"), F.col("m").alias("v"))
        .distinct()
    )


def small_star(edges: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours joined to the smallest of them; edges come out
    as (larger, smaller)."""
    down = edges.select(
        F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v")
    ).filter(F.col("u") != F.col("v"))
    m = down.groupBy("u").agg(F.min("v").alias("m"))
    moved = down.join(m, on="u").filter(F.col("v") != F.col("m")).select(
        F.col("v").alias("u"), F.col("m").alias("v")
    )
    return moved.unionByName(m.select("u", F.col("m").alias("v"))).distinct()


def components(stages: Stages, pairs: DataFrame, work: str, max_rounds: int = 64):
    """Every document in a verified pair with its component's smallest position, and the
    number of large-star / small-star rounds it took. Each round's edges are written to
    ``work`` (the plan stays one round long); the loop ends at a star forest whose centres
    are the smallest positions, which small-star makes when nothing moves any more."""
    spark = stages.spark
    edges = pairs.select(F.col("b").alias("u"), F.col("a").alias("v"))
    rounds = 0
    done = edges.limit(1).count() == 0
    while not done:
        rounds += 1
        if rounds > max_rounds:
            raise JobError(f"components did not converge in {max_rounds} rounds")
        edges = small_star(large_star(edges))
        path = f"{work}/round-{rounds}"
        edges.write.mode("overwrite").parquet(path)
        edges = spark.read.parquet(path)
        # A star forest (small-star's edges run from the larger node to the smaller): no
        # centre is anyone's child, and no child has two centres.
        centres = edges.select(F.col("v").alias("u")).distinct().withColumn("centre", F.lit(1))
        bad = (
            edges.groupBy("u").count().join(centres, on="u", how="left")
            .filter((F.col("count") > 1) | F.col("centre").isNotNull())
        )
        done = bad.limit(1).count() == 0
    roots = edges.select(F.col("u").alias("position"), F.col("v").alias("root"))
    centres = edges.select(F.col("v").alias("position"), F.col("v").alias("root"))
    return roots.unionByName(centres).distinct(), rounds


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="storyhash_spark.py",
        description="The copy or story preset's clusters of a corpus on Spark, in Parquet "
                    "stages (the story preset by windows of the input order).",
    )
    p.add_argument("--input", required=True,
                   help="a JSONL or Parquet file, or a directory of them (read in name order)")
    p.add_argument("--input-format", choices=["jsonl", "parquet"], default=None,
                   help="default: from the file name (.parquet, else JSONL)")
    p.add_argument("--out", required=True, help="directory of the stages (any Hadoop path)")
    p.add_argument("--config", default=None,
                   help="engine config JSON file (storyhash.Config(...).to_json()); "
                        "default: the copy preset, as `storyhash cluster --preset copy`; a "
                        "story config runs the story preset by windows")
    p.add_argument("--id-field", default="id")
    p.add_argument("--text-field", default="text")
    p.add_argument("--title-field", default=None)
    p.add_argument("--window", type=int, default=None,
                   help=f"story preset: articles a window holds (default {DEFAULT_WINDOW:,})")
    p.add_argument("--overlap", type=int, default=None,
                   help="story preset: articles a window shares with the next "
                        "(default: a tenth of --window)")
    p.add_argument("--partitions", type=int, default=None,
                   help="shuffle partitions (default: Spark's)")
    p.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    return p.parse_args(argv)


def load_config(path: Optional[str]) -> "storyhash.Config":
    if path is None:
        return storyhash.Config.preset("copy")
    with open(path, encoding="utf-8") as f:
        return storyhash.Config.from_json(f.read())


def window_settings(cfg: "storyhash.Config", args: argparse.Namespace) -> Optional[dict]:
    """The story preset's window size and overlap (``None`` for the copy preset)."""
    given = [f"--{n}" for n in ("window", "overlap") if getattr(args, n) is not None]
    if cfg.preset_name != "story":
        if given:
            raise JobError(
                f"{' and '.join(given)} {'are' if len(given) > 1 else 'is'} for the story "
                "preset, and the config is the copy preset: leave "
                f"{'them' if len(given) > 1 else 'it'} out, or give a story config with "
                "--config (storyhash.Config.preset(\"story\").to_json())"
            )
        return None
    size = DEFAULT_WINDOW if args.window is None else args.window
    if size < 1:
        raise JobError(f"--window {size}: a window holds at least 1 article")
    overlap = size // 10 if args.overlap is None else args.overlap
    if not 0 <= overlap < size:
        raise JobError(
            f"--overlap {overlap} with --window {size}: the overlap must be at least 0 and "
            "less than the window (windows must advance); give a smaller --overlap or a "
            "larger --window"
        )
    return {"window": size, "overlap": overlap}


def _format_of(stages: Stages, path: str) -> str:
    """Parquet for a ``*.parquet`` file or a directory holding one, else JSONL (the CLI's
    rule for a file)."""
    if path.endswith(".parquet"):
        return "parquet"
    fs, p = stages._fs, stages._path(path)
    if fs.exists(p) and fs.getFileStatus(p).isDirectory():
        names = [s.getPath().getName() for s in fs.listStatus(p)]
        if any(n.endswith(".parquet") for n in names):
            return "parquet"
    return "jsonl"


def run(spark: SparkSession, args: argparse.Namespace) -> dict:
    cfg = load_config(args.config)
    windows = window_settings(cfg, args)
    config_json = cfg.to_json()
    cfg_dict = json.loads(config_json)
    stages = Stages(spark, args.out)
    # The stages' own markers only: a stage is complete when this job says so.
    spark.sparkContext._jsc.hadoopConfiguration().set(
        "mapreduce.fileoutputcommitter.marksuccessfuljobs", "false"
    )
    if args.partitions:
        spark.conf.set("spark.sql.shuffle.partitions", str(args.partitions))
    prior = stages.read_text(f"{stages.out}/_config.json")
    if prior is not None and prior != config_json:
        raise JobError(
            f"{stages.out} holds stages made under another config: give another --out, or "
            "remove it"
        )
    # The window settings decide the story preset's clusters as the config does.
    story_json = json.dumps(windows, sort_keys=True) if windows else None
    prior_story = stages.read_text(f"{stages.out}/_story.json")
    if story_json and prior_story is not None and prior_story != story_json:
        held = json.loads(prior_story)
        raise JobError(
            f"{stages.out} holds stages made with --window {held['window']} --overlap "
            f"{held['overlap']}, not --window {windows['window']} --overlap "
            f"{windows['overlap']}: give those, another --out, or remove it"
        )
    stages.write_text(f"{stages.out}/_config.json", config_json)
    if story_json:
        stages.write_text(f"{stages.out}/_story.json", story_json)
    fmt = args.input_format or _format_of(stages, args.input)
    fields = {"id": args.id_field, "text": args.text_field, "title": args.title_field}
    report = {}

    def stage(name: str, make: Callable[[], DataFrame], stats: Callable[[DataFrame], dict]
              ) -> DataFrame:
        path = stages.dir(name)
        if stages.done(name):
            print(f"storyhash-spark: {name}: complete, skipped", file=sys.stderr)
            report[name] = {**stages.stats(name), "skipped": True}
            return spark.read.parquet(path)
        t = time.time()
        make().write.mode("overwrite").parquet(path)
        df = spark.read.parquet(path)
        s = {**stats(df), "seconds": round(time.time() - t, 2)}
        stages.finish(name, s)
        report[name] = s
        print(f"storyhash-spark: {name}: {json.dumps(s, sort_keys=True)}", file=sys.stderr)
        return df

    def positions_stats(df: DataFrame) -> dict:
        rows = df.count()
        ids = df.select("id").distinct().count()
        if ids != rows:
            dup = df.groupBy("id").count().filter("count > 1").orderBy("id").first()
            raise JobError(f"{args.input}: duplicate id {dup['id']!r}: ids must be unique")
        return {"rows": rows}

    count = lambda df: {"rows": df.count()}
    positions = stage(
        "positions", lambda: read_input(spark, args.input, fmt, fields), positions_stats
    )
    if windows:
        count_windows = window_count(
            report["positions"]["rows"], windows["window"], windows["overlap"]
        )

        def edges_stats(df: DataFrame) -> dict:
            return {"rows": df.count(), "windows": count_windows, **windows}

        edges = stage(
            "windows",
            lambda: window_edges(positions, config_json, bool(args.title_field),
                                 windows["window"], windows["overlap"], count_windows),
            edges_stats,
        )
        # A window's edges run from a member to its earlier representative.
        pairs = edges.select(
            F.least("position", "rep").alias("a"), F.greatest("position", "rep").alias("b")
        ).distinct()
    else:
        signed = stage(
            "signed",
            lambda: positions.mapInArrow(sign_batches(config_json, bool(args.title_field)),
                                         SIGNED_DDL),
            count,
        )
        cands = stage("candidates", lambda: candidates(signed, cfg_dict), count)
        pairs = stage("verified", lambda: verified(cands, signed, config_json), count)
    work = f"{stages.out}/_work/components"
    found = {}

    def make_components() -> DataFrame:
        comp, rounds = components(stages, pairs, work)
        found["rounds"] = rounds
        return comp

    comp = stage("components", make_components,
                 lambda df: {"rows": df.count(), "rounds": found.get("rounds")})
    stages.remove(work)
    roots = comp.select("position", "root")
    ids = positions.select(F.col("position").alias("root"), F.col("id").alias("cluster"))

    def make_clusters() -> DataFrame:
        return (
            positions.select("position", "id")
            .join(roots, on="position", how="left")
            .withColumn("root", F.coalesce("root", "position"))
            .join(ids, on="root")
            .select("position", "id", "cluster")
        )

    stage("clusters", make_clusters, count)
    return report


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    builder = SparkSession.builder.appName("storyhash")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        report = run(spark, args)
    except JobError as e:
        print(f"storyhash-spark: error: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
