#!/usr/bin/env python3
"""Story preset: the index's online stories against one `cluster --preset story` run.

For each corpus, the articles go into a story index in input order twice: in one `index add`
(bulk, one commit per batch) and one at a time through `watch --add` (a commit per article,
as a wire desk streams them). Printed per corpus and way: B-cubed F1 of the index's stories
against the batch clusters, and each side's quality against the gold labels (B-cubed F1 over
clusters; for SemEval-2022, whose gold is pair labels, precision / recall / F1 of "same
story" over the labelled pairs).

Corpora (read from ../shared/data; nothing is written into the repository):
- SemEval-2022 Task 8: the distinct articles of pairs.jsonl (headline as the title field);
- Clough-Stevenson: docs.jsonl, gold `story`;
- synthetic: `storyhash synth --whole` over the SemEval texts (edited copies of real
  articles; gold `family`, right for copies, labelled synthetic).

Usage: python3 benches/index/story_agreement.py [--bin target/release/storyhash] [--synth N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def bcubed(pred, gold):
    """B-cubed F1 of partition `pred` against `gold` (dicts id -> label, same ids)."""
    by_p, by_g = {}, {}
    for i, c in pred.items():
        by_p.setdefault(c, set()).add(i)
    for i, c in gold.items():
        by_g.setdefault(c, set()).add(i)
    p = r = 0.0
    for i in pred:
        cp, cg = by_p[pred[i]], by_g[gold[i]]
        inter = len(cp & cg)
        p += inter / len(cp)
        r += inter / len(cg)
    n = len(pred)
    p, r = p / n, r / n
    return 2 * p * r / (p + r) if p + r else 0.0


def pair_prf(part, pairs):
    tp = fp = fn = 0
    for a, b, label in pairs:
        same = part[a] == part[b]
        tp += same and label
        fp += same and not label
        fn += (not same) and label
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def batch_partition(bin_, docs, extra):
    out = run([bin_, "cluster", docs, "--preset", "story", "--format", "jsonl", "-q"] + extra)
    part = {}
    for n, line in enumerate(out.stdout.decode().splitlines()):
        c = json.loads(line)
        for m in c["members"]:
            part[str(m)] = f"b{n}"
    return part


def index_partition(bin_, d):
    out = run([bin_, "index", "stories", d, "--format", "jsonl"])
    part = {}
    for line in out.stdout.decode().splitlines():
        s = json.loads(line)
        for m in s["members"]:
            part[str(m)] = f"s{s['story']}"
    return part


def complete(part, ids):
    return {i: part.get(i, f"alone-{i}") for i in ids}


def corpus_rows(bin_, name, docs, ids, extra, gold=None, pairs=None):
    tmp = tempfile.mkdtemp(prefix="story-agree-")
    batch = complete(batch_partition(bin_, docs, extra), ids)
    rows = []
    for way in ("bulk", "stream"):
        d = os.path.join(tmp, way)
        run([bin_, "index", "create", d, "--preset", "story"])
        t = time.time()
        if way == "bulk":
            run([bin_, "index", "add", d, docs, "-q"] + extra)
        else:
            with open(docs, "rb") as f:
                run([bin_, "watch", "--add", d] + extra, stdin=f)
        secs = time.time() - t
        idx = complete(index_partition(bin_, d), ids)
        row = {"corpus": name, "way": way, "docs": len(ids), "seconds": round(secs, 1),
               "bcubed_vs_batch": round(bcubed(idx, batch), 4)}
        if gold is not None:
            row["batch_bcubed_vs_gold"] = round(bcubed(batch, gold), 4)
            row["index_bcubed_vs_gold"] = round(bcubed(idx, gold), 4)
        if pairs is not None:
            row["batch_pairs_prf"] = [round(x, 4) for x in pair_prf(batch, pairs)]
            row["index_pairs_prf"] = [round(x, 4) for x in pair_prf(idx, pairs)]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/storyhash")
    ap.add_argument("--synth", type=int, default=5000)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="story-corpora-")

    # SemEval-2022: distinct articles, pair labels.
    sem = os.path.join(DATA, "semeval2022-news-similarity", "pairs.jsonl")
    seen, pairs = {}, []
    for line in open(sem):
        p = json.loads(line)
        for s in "ab":
            i = str(p[f"{s}_id"])
            if i not in seen:
                seen[i] = {"id": i, "title": p.get(f"{s}_title") or "", "text": p[f"{s}_text"] or ""}
        pairs.append((str(p["a_id"]), str(p["b_id"]), p["label"] == 1))
    sem_docs = os.path.join(work, "semeval.jsonl")
    with open(sem_docs, "w") as f:
        for d in seen.values():
            f.write(json.dumps(d) + "\n")
    corpus_rows(a.bin, "SemEval-2022 articles", sem_docs, list(seen), ["--title-field", "title"],
                pairs=pairs)

    # Clough-Stevenson.
    cs = os.path.join(DATA, "text-reuse-clough-stevenson", "docs.jsonl")
    gold = {}
    for line in open(cs):
        d = json.loads(line)
        gold[str(d["id"])] = d["story"]
    corpus_rows(a.bin, "Clough-Stevenson", cs, list(gold), [], gold=gold)

    # Synthetic: edited copies of real articles.
    syn = os.path.join(work, "synth.jsonl")
    run([a.bin, "synth", "--whole", "--source", sem, "--docs", str(a.synth), "--seed", "1",
         "--out", syn])
    gold = {}
    for line in open(syn):
        d = json.loads(line)
        gold[str(d["id"])] = d["family"]
    corpus_rows(a.bin, "synthetic (edited copies of SemEval texts)", syn, list(gold), [],
                gold=gold)


if __name__ == "__main__":
    sys.exit(main())
