#!/usr/bin/env bash
# Quality of storyhash's presets against exact lexical baselines on every labelled set found
# under ../shared/data (DATA=... to override). Prints a markdown table; writes results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data}
cargo build --release -q
B=target/release/storyhash
TMP=$(mktemp -d)
python3 - "$DATA" "$B" "$TMP" <<'PY' | tee benches/quality/results.md
import json, os, subprocess, sys, time
data, b, tmp = sys.argv[1:4]
def run(args):
    t = time.time(); out = subprocess.run([b, "eval", *args, "--format", "json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.time() - t
def base(pairs, docs=None):
    args = ["python3", "benches/quality/baselines.py", pairs] + ([docs] if docs else [])
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
f = lambda x: "-" if x is None else "%.3f" % x
rows = []
print("| set | metric | story | copy | word1 Jaccard | word5 Jaccard | TF-IDF cosine | char5 Jaccard |")
print("|---|---|---|---|---|---|---|---|")
sem = os.path.join(data, "semeval2022-news-similarity/pairs.jsonl")
if os.path.exists(sem):
    common = ["--pairs", sem, "--title-field", "title", "--score-field", "overall", "--lower-is-closer", "--group-by", "lang"]
    (s, ts), (c, tc) = run(common), run(common + ["--preset", "copy"])
    bl = base(sem)
    for g in ["all", "en", "de", "es", "fr"]:
        ss = s["all"] if g == "all" else s["groups"][g]; cc = c["all"] if g == "all" else c["groups"][g]
        for m, key in [("AUC", "auc"), ("Spearman", "spearman")]:
            print(f"| SemEval {g} | {m} | {f(ss[key])} | {f(cc[key])} | " + " | ".join(f(bl[k][g][key]) for k in bl) + " |")
    print(f"| SemEval all | F1 at the preset's fixed threshold | {f(s['all']['at_default_threshold']['prf']['f1'])} | {f(c['all']['at_default_threshold']['prf']['f1'])} | | | | |")
    print(f"| SemEval all | best-threshold F1 (chosen on the set) | {f(s['all']['best_f1']['prf']['f1'])} | {f(c['all']['best_f1']['prf']['f1'])} | " + " | ".join(f(bl[k]['all']['best_f1']) for k in bl) + " |")
    print(f"| SemEval all | candidate recall of label-1 pairs | {f(s['all']['candidate_recall'])} | {f(c['all']['candidate_recall'])} | | | | |")
    print(f"| SemEval | seconds (whole eval) | {ts:.1f} | {tc:.1f} | | | | |")
else:
    print("| SemEval | absent, skipped | | | | | | |")
msrp = os.path.join(data, "msrp-paraphrase/train.jsonl")
if os.path.exists(msrp):
    (s, ts), (c, tc) = run(["--pairs", msrp]), run(["--pairs", msrp, "--preset", "copy"])
    bl = base(msrp)
    print(f"| MSRP train | AUC | {f(s['all']['auc'])} | {f(c['all']['auc'])} | " + " | ".join(f(bl[k]['all']['auc']) for k in bl) + " |")
    print(f"| MSRP train | accuracy at best threshold (chosen on the set) | {f(s['all']['best_f1']['accuracy'])} | {f(c['all']['best_f1']['accuracy'])} | " + " | ".join(f(bl[k]['all']['accuracy_at_best']) for k in bl) + " |")
    print(f"| MSRP train | accuracy at the preset's fixed threshold | {f(s['all']['at_default_threshold']['accuracy'])} | {f(c['all']['at_default_threshold']['accuracy'])} | | | | |")
else:
    print("| MSRP | absent, skipped | | | | | | |")
cs = os.path.join(data, "text-reuse-clough-stevenson")
if os.path.exists(cs):
    docs, pairs = os.path.join(cs, "docs.jsonl"), os.path.join(cs, "pairs.jsonl")
    (s, _), (c, _) = run([docs, "--pairs", pairs, "--score-field", "grade"]), run([docs, "--pairs", pairs, "--score-field", "grade", "--preset", "copy"])
    bl = base(pairs, docs)
    print(f"| Clough-Stevenson pairs | AUC | {f(s['all']['auc'])} | {f(c['all']['auc'])} | " + " | ".join(f(bl[k]['all']['auc']) for k in bl) + " |")
    print(f"| Clough-Stevenson pairs | F1 at the preset's fixed threshold | {f(s['all']['at_default_threshold']['prf']['f1'])} | {f(c['all']['at_default_threshold']['prf']['f1'])} | | | | |")
    # copy on cut + light (positives) against non (negatives): precision at the fixed threshold.
    sub = os.path.join(tmp, "cutlight.jsonl")
    with open(sub, "w") as o:
        for l in open(pairs):
            p = json.loads(l)
            if p["category"] in ("cut", "light", "non"): o.write(l)
    (cl, _) = run([docs, "--pairs", sub, "--preset", "copy"])
    print(f"| Clough-Stevenson cut+light vs non | copy precision / recall at 0.8 | | {f(cl['all']['at_default_threshold']['prf']['precision'])} / {f(cl['all']['at_default_threshold']['prf']['recall'])} | | | | |")
    (sc, ts), (cc, tc) = run([docs, "--gold-field", "story"]), run([docs, "--gold-field", "story", "--preset", "copy"])
    for m, k in [("pairwise F1", lambda x: x["pairwise"]["f1"]), ("B-cubed F1", lambda x: x["bcubed"]["f1"]), ("ARI", lambda x: x["ari"])]:
        print(f"| Clough-Stevenson clustered | {m} | {f(k(sc))} | {f(k(cc))} | | | | |")
else:
    print("| Clough-Stevenson | absent, skipped | | | | | | |")
seed = "fixtures/seeds/seed_case.jsonl"
(sd, _) = run([seed, "--gold-field", "story"])
print(f"| seed case (27 docs) | pairwise F1 / ARI | {f(sd['pairwise']['f1'])} / {f(sd['ari'])} | | | | | |")
PY
rm -rf "$TMP"
