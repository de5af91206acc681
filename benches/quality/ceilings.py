"""Why two quality targets are out of reach of a lexical score, measured (stdlib only).

Usage: python3 benches/quality/ceilings.py [DATA] [STORYHASH]   (defaults: ../shared/data and
target/release/storyhash). Prints markdown; README.md quotes it. Skips a set that is absent.

1. MSRP (target AUC 0.80): a panel of exact lexical measures over lowercase \\w+ words, each
   with the set's own IDF. If none reaches the target, the target asks for more than words.
2. Clough-Stevenson pairs (target AUC 0.99, F1 0.98): answers labelled as derived from the
   source ("cut", "light", "heavy") whose words overlap the source less than most independent
   ("non") answers do. Every measure that compares an answer with the given source ranks them
   among the independent answers, which caps its AUC; storyhash is then scored without them.
"""
import json, math, os, re, subprocess, sys, tempfile, unicodedata
from collections import Counter

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/storyhash"


def words(t):
    return re.findall(r"\w+", unicodedata.normalize("NFKC", t).casefold())


def ngrams(w, n):
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def auc(s, l):
    pos = [x for x, y in zip(s, l) if y]; neg = [x for x, y in zip(s, l) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def panel(texts):
    """Lexical measures of each pair: {name: [score per pair]}, IDF over the pairs' texts."""
    uniq = {t for ab in texts for t in ab}
    df = Counter()
    for t in uniq:
        df.update(set(words(t)))
    n = len(uniq)
    idf = lambda w: math.log((n + 1) / (df[w] + 0.5))
    def vec(t):
        return {w: (1 + math.log(c)) * idf(w) for w, c in Counter(words(t)).items()}
    def cos(a, b):
        d = sum(x * b.get(w, 0.0) for w, x in a.items())
        z = math.sqrt(sum(x * x for x in a.values()) * sum(x * x for x in b.values()))
        return d / z if z else 0.0
    def wjac(a, b):
        keys = set(a) | set(b)
        top = sum(max(a.get(w, 0), b.get(w, 0)) for w in keys)
        return sum(min(a.get(w, 0), b.get(w, 0)) for w in keys) / top if top else 0.0
    def minc(a, b):
        shared = set(a) & set(b)
        part = lambda v: sum(v[w] for w in shared) / (sum(v.values()) or 1.0)
        return min(part(a), part(b))
    def jac(x, y):
        return len(x & y) / len(x | y) if x | y else 0.0
    out = {k: [] for k in ["word 1-gram Jaccard", "word 2-gram Jaccard", "word 3-gram Jaccard",
                           "answer's word 2-grams found in the other", "char 4-gram Jaccard",
                           "TF-IDF cosine", "TF-IDF weighted Jaccard", "TF-IDF min containment"]}
    for ta, tb in texts:
        wa, wb = words(ta), words(tb)
        va, vb = vec(ta), vec(tb)
        ca = {" ".join(wa)[i:i + 4] for i in range(len(" ".join(wa)) - 3)}
        cb = {" ".join(wb)[i:i + 4] for i in range(len(" ".join(wb)) - 3)}
        out["word 1-gram Jaccard"].append(jac(set(wa), set(wb)))
        out["word 2-gram Jaccard"].append(jac(ngrams(wa, 2), ngrams(wb, 2)))
        out["word 3-gram Jaccard"].append(jac(ngrams(wa, 3), ngrams(wb, 3)))
        a2 = ngrams(wa, 2)
        out["answer's word 2-grams found in the other"].append(len(a2 & ngrams(wb, 2)) / (len(a2) or 1))
        out["char 4-gram Jaccard"].append(jac(ca, cb))
        out["TF-IDF cosine"].append(cos(va, vb))
        out["TF-IDF weighted Jaccard"].append(wjac(va, vb))
        out["TF-IDF min containment"].append(minc(va, vb))
    return out


msrp = os.path.join(data, "msrp-paraphrase/train.jsonl")
sem = os.path.join(data, "semeval2022-news-similarity/pairs.jsonl")
if os.path.exists(msrp):
    pairs = [json.loads(l) for l in open(msrp)]
    labels = [p["label"] for p in pairs]
    scores = panel([(p["a_text"], p["b_text"]) for p in pairs])
    # The same measures on news articles, to show what a sentence-paraphrase measure costs there.
    sem_auc = {}
    if os.path.exists(sem):
        sp = [json.loads(l) for l in open(sem)]
        joined = lambda p, s: ((p.get(s + "_title") or "") + "\n" + (p.get(s + "_text") or "")).strip()
        ss = panel([(joined(p, "a"), joined(p, "b")) for p in sp])
        sem_auc = {k: auc(v, [1 if p["label"] else 0 for p in sp]) for k, v in ss.items()}
    print("#### MSRP train: lexical measures (target AUC 0.80), and the same measures on SemEval\n")
    print("| measure | MSRP AUC | SemEval AUC (all languages) |\n|---|---|---|")
    for k, s in sorted(scores.items(), key=lambda kv: -auc(kv[1], labels)):
        se = f"{sem_auc[k]:.3f}" if k in sem_auc else "-"
        print(f"| {k} | {auc(s, labels):.3f} | {se} |")
    print()
else:
    print("MSRP absent, skipped\n")

cs = os.path.join(data, "text-reuse-clough-stevenson")
if os.path.exists(cs):
    docs = {}
    for l in open(os.path.join(cs, "docs.jsonl")):
        d = json.loads(l); docs[d["id"]] = d["text"]
    pairs = [json.loads(l) for l in open(os.path.join(cs, "pairs.jsonl"))]
    # In pairs.jsonl `a` is the source and `b` the answer; the panel puts the answer first.
    texts = [(docs[p["b"]], docs[p["a"]]) for p in pairs]
    labels = [p["label"] for p in pairs]
    scores = panel(texts)
    key = "answer's word 2-grams found in the other"
    # "Off-source": a derived answer whose 2-gram overlap with the source is below the median
    # independent answer's.
    non = sorted(s for s, l in zip(scores[key], labels) if not l)
    median_non = non[len(non) // 2]
    off = [i for i, p in enumerate(pairs) if p["label"] and scores[key][i] < median_non]
    print("#### Clough-Stevenson pairs: derived answers that overlap their source less than an "
          "independent answer does\n")
    print(f"Median share of an independent answer's word 2-grams found in the source: {median_non:.3f}.\n")
    print("| answer | category | its word 2-grams found in the source | its first words |")
    print("|---|---|---|---|")
    for i in off:
        first = " ".join(docs[pairs[i]["b"]].split()[:12])
        print(f"| {pairs[i]['b']} | {pairs[i]['category']} | {scores[key][i]:.3f} | {first} ... |")
    neg = [i for i, l in enumerate(labels) if not l]
    npos, nneg = sum(labels), len(neg)
    print(f"\n| measure | AUC, all {len(pairs)} pairs | ceiling: AUC if every other pair were ordered right |")
    print("|---|---|---|")
    for k, s in scores.items():
        lost = sum(sum((s[j] > s[i]) + 0.5 * (s[j] == s[i]) for j in neg) for i in off)
        print(f"| {k} | {auc(s, labels):.3f} | {1 - lost / (npos * nneg):.3f} |")
    if os.path.exists(binary):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for i, p in enumerate(pairs):
                if i not in off:
                    f.write(json.dumps(p) + "\n")
        rest = len(pairs) - len(off)
        for name, path in [(f"all {len(pairs)} pairs", os.path.join(cs, "pairs.jsonl")),
                           (f"the {rest} others", f.name)]:
            r = json.loads(subprocess.run([binary, "eval", os.path.join(cs, "docs.jsonl"), "--pairs", path,
                                           "--format", "json"], check=True, capture_output=True, text=True).stdout)["all"]
            prf = r["at_default_threshold"]["prf"]
            print(f"\nstoryhash story preset, {name}: AUC {r['auc']:.3f}; at its fixed threshold precision "
                  f"{prf['precision']:.3f}, recall {prf['recall']:.3f}, F1 {prf['f1']:.3f}")
        os.unlink(f.name)
        # The best F1 any score can reach when the off-source answers fall below the threshold.
        tp = npos - len(off)
        print(f"\nF1 ceiling with those {len(off)} answers missed and nothing else wrong: "
              f"{2 * tp / (2 * tp + len(off)):.3f}")
else:
    print("Clough-Stevenson absent, skipped")
