"""Peer benchmark: storyhash against datasketch, rensa, FastSketchLSH and gaoya on one JSONL
corpus with the same settings (lowercase \\w+ words, word 5-gram shingles, 128 permutations,
LSH threshold 0.8 with 8 bands x 16 rows (rensa and FastSketchLSH need bands dividing 128), single thread). Each engine runs in its own process
so that peak RSS is its own; "storyhash wheel" is storyhash's Python module called from Python
like the peers (reading the JSONL in Python included, as for them). Usage: peers.py CORPUS STORYHASH_BINARY"""
import json, os, re, resource, shutil, subprocess, sys, time

CORPUS, BIN = sys.argv[1], sys.argv[2]
WORD = re.compile(r"\w+")

def load():
    return [json.loads(l) for l in open(CORPUS)]

def shingles(text):
    w = WORD.findall(text.lower())
    return [" ".join(w[i:i + 5]) for i in range(max(1, len(w) - 4))] if w else []

def union_clusters(n, pairs):
    parent = list(range(n))
    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]; x = parent[x]
        return x
    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb: parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]

def engine(name):
    """Run one engine end to end (or its sketch lane); print a JSON result line."""
    t0 = time.perf_counter()
    docs = load()
    n = len(docs)
    lane = "end to end"
    if name == "datasketch":
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=0.8, num_perm=128, params=(8, 16))
        mhs = []
        for i, d in enumerate(docs):
            m = MinHash(num_perm=128, seed=42)
            for s in set(shingles(d["text"])):
                m.update(s.encode())
            mhs.append(m); lsh.insert(i, m)
        pairs = [(i, j) for i, m in enumerate(mhs) for j in lsh.query(m) if j != i]
        labels = union_clusters(n, pairs)
    elif name == "gaoya":
        from gaoya.minhash import MinHashStringIndex
        idx = MinHashStringIndex(hash_size=32, jaccard_threshold=0.8, num_bands=8, band_size=16,
                                 analyzer="word", lowercase=True, ngram_range=(5, 5))
        for i, d in enumerate(docs):
            idx.insert_document(i, d["text"])
        pairs = [(i, j) for i, d in enumerate(docs) for j in idx.query(d["text"]) if j != i]
        labels = union_clusters(n, pairs)
    elif name in ("rensa", "rensa sketch lane"):
        import rensa
        sets = [sorted(set(shingles(d["text"]))) for d in docs]
        if name.endswith("lane"):
            lane = "sketch lane"; t0 = time.perf_counter()
        m = rensa.RMinHash.digest_matrix_from_token_sets(sets, 128, 42)
        flags = rensa.RMinHashLSH(0.8, 128, 8).query_duplicate_flags_matrix_one_shot(m)
        labels = None; flagged = [bool(f) for f in flags]
    elif name in ("FastSketchLSH", "FastSketchLSH sketch lane"):
        import FastSketchLSH as F
        sets = [[s.encode() for s in set(shingles(d["text"]))] or [b""] for d in docs]
        if name.endswith("lane"):
            lane = "sketch lane"; t0 = time.perf_counter()
        sk = F.FastSimilaritySketch(128, 42).batch(sets, num_threads=1)
        flags = F.LSH(128, 8, num_threads=1).insert_and_query_duplicates(sk)
        labels = None; flagged = [bool(f) for f in flags]
    elif name == "storyhash wheel":
        # The Python module on one thread (the pool starts at the first call), with the
        # settings the CLI rows use: copy preset, 8 x 16 bands, no containment.
        os.environ["RAYON_NUM_THREADS"] = "1"
        import pyarrow as pa, storyhash
        d = storyhash.Config.preset("copy").to_dict()
        d["config"]["copy"]["bands"] = {"bands": 8, "rows": 16}
        d["config"]["copy"]["contain"] = None
        cfg = storyhash.Config.from_dict(d)
        table = pa.Table.from_pydict({"id": [str(x["id"]) for x in docs],
                                      "text": [x["text"] for x in docs]})
        out = storyhash.cluster(table, cfg)
        labels = None
        flagged = [r != i for r, i in zip(out.column("representative").to_pylist(),
                                          out.column("id").to_pylist())]
    else:
        raise SystemExit("unknown engine " + name)
    secs = time.perf_counter() - t0
    if labels is not None:
        seen = set(); flagged = []
        for l in labels:
            flagged.append(l in seen); seen.add(l)
    print(json.dumps({"engine": name, "lane": lane, "seconds": secs, "flagged": flagged,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))

# One core for every single-thread run (peers included), when taskset exists: a "single
# thread" figure then includes any helper thread an engine starts (storyhash's reader thread).
PIN = ["taskset", "-c", "0"] if shutil.which("taskset") else []

def storyhash(threads, pin):
    # Median of three runs: a run of a fraction of a second is at the mercy of the page cache
    # and the CPU clock; the peers' runs (seconds to minutes) are taken once.
    # Wall time and peak RSS of the storyhash process itself from GNU time when present:
    # RUSAGE_CHILDREN would count this Python process's pages (copied into the child by fork
    # before exec), and timing around subprocess.run adds Python's fork of a process holding
    # the corpus, as much as 10% of a 10,000-document run.
    times, rss = [], []
    rssfile = CORPUS + ".rss"
    timer = ["/usr/bin/time", "-f", "%e %M", "-o", rssfile] if os.path.exists("/usr/bin/time") else []
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(timer + (PIN if pin else []) + [BIN, "cluster", CORPUS, "--preset", "copy", "--format", "jsonl", "-q",
                              "--threads", str(threads), "--bands", "8", "--rows", "16", "--no-contain"], check=True, capture_output=True, text=True).stdout
        elapsed = time.perf_counter() - t0
        if timer:
            e, m = open(rssfile).read().split()[-2:]
            elapsed = float(e)
            rss.append(int(m) / 1024)
        times.append(elapsed)
    secs = sorted(times)[1]
    pos = {d["id"]: i for i, d in enumerate(load())}
    flagged = [False] * len(pos)
    for line in out.splitlines():
        for m in json.loads(line)["members"][1:]:
            flagged[pos[m]] = True
    return secs, flagged, (max(rss) if rss else None)

if len(sys.argv) > 3:
    engine(sys.argv[3]); sys.exit(0)

docs = load(); n = len(docs); mb = os.path.getsize(CORPUS) / 1e6
fam = [d["family"] for d in docs]
first = set(); has_earlier = []
for f in fam:
    has_earlier.append(f in first); first.add(f)
gold = sum(has_earlier)
def recall(flagged):
    return sum(1 for f, g in zip(flagged, has_earlier) if f and g) / gold if gold else 1.0
rows = []
for threads, pin, label in [(1, True, "storyhash, 1 core (taskset)" if PIN else "storyhash, --threads 1"),
                            (1, False, "storyhash, --threads 1 (+ reader thread)"),
                            (os.cpu_count(), False, "storyhash, %d threads" % os.cpu_count())]:
    if label.endswith("(+ reader thread)") and not PIN:
        continue
    secs, flagged, rss = storyhash(threads, pin)
    rows.append((label, "end to end", secs, flagged, rss))
base = rows[0][2]
bench = subprocess.run(PIN + [BIN, "bench", CORPUS, "--preset", "copy", "--repeat", "3", "--bands", "8", "--rows", "16", "--no-contain"], check=True, capture_output=True, text=True).stdout
# ENGINES=datasketch,gaoya (names below, comma-separated) runs only those peers; ENGINES=none none.
ALL = ["storyhash wheel", "datasketch", "gaoya", "rensa", "FastSketchLSH", "rensa sketch lane",
       "FastSketchLSH sketch lane"]
WANT = os.environ.get("ENGINES")
for name in [e for e in ALL if WANT is None or e in WANT.split(",")]:
    try:
        r = subprocess.run(PIN + [sys.executable, __file__, CORPUS, BIN, name], capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            print(f"{name}: failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}", file=sys.stderr); continue
        j = json.loads(r.stdout.strip().splitlines()[-1])
        rows.append((name, j["lane"], j["seconds"], j["flagged"], j["rss_mb"]))
    except Exception as e:
        print(f"{name}: skipped ({e})", file=sys.stderr)
print(f"Corpus: {CORPUS} ({n} documents, {mb:.1f} MB, SYNTHETIC from storyhash synth); "
      "word 5-grams, lowercase, 128 permutations, threshold 0.8, 8 x 16 bands.")
print("| engine | lane | seconds | docs/s | MB/s | peak RSS MB | duplicates flagged | recall vs labels | time / storyhash 1 core |")
print("|---|---|---|---|---|---|---|---|---|")
for name, lane, secs, flagged, rss in rows:
    rss_s = "" if rss is None else f"{rss:.0f}"
    print(f"| {name} | {lane} | {secs:.2f} | {n / secs:,.0f} | {mb / secs:.1f} | {rss_s} | {sum(flagged)} | {recall(flagged):.3f} | {secs / base:.1f}x |")
print()
print("storyhash stages (`storyhash bench --preset copy`, texts in memory -> features (tokenising included) -> LSH -> verified clusters):")
print(bench)
print("Notes: rensa uses its full-set R-MinHash (digest_matrix_from_token_sets), not the sampled "
      "_rho path of its headline benchmark. rensa/FastSketchLSH flag rows that share a band "
      "(both members of a pair can be flagged); storyhash, datasketch and gaoya flag every "
      "cluster member after the first.")
