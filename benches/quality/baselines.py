"""Exact lexical baselines for benches/quality/run.sh (stdlib only): word 1-gram Jaccard,
word 5-gram Jaccard, TF-IDF cosine (raw tf x ln(N/df), IDF over the set's texts), char 5-gram
Jaccard. Prints one JSON object: {baseline: {metric: value}} for the given pair set."""
import json, math, re, sys, unicodedata
from collections import Counter

def words(t):
    return re.findall(r"\w+", unicodedata.normalize("NFKC", t).casefold())

def grams(w, n):
    return {tuple(w[i:i + n]) for i in range(max(1, len(w) - n + 1))} if w else set()

def chars(t, n=5):
    t = " ".join(unicodedata.normalize("NFKC", t).casefold().split())
    return {t[i:i + n] for i in range(max(1, len(t) - n + 1))} if t else set()

def jac(a, b):
    return len(a & b) / len(a | b) if a | b else 0.0

def ranks(x):
    idx = sorted(range(len(x)), key=lambda i: x[i]); r = [0.0] * len(x); i = 0
    while i < len(idx):
        j = i
        while j + 1 < len(idx) and x[idx[j + 1]] == x[idx[i]]: j += 1
        for k in idx[i:j + 1]: r[k] = (i + j) / 2 + 1
        i = j + 1
    return r

def auc(s, l):
    r = ranks(s); p = sum(l); n = len(l) - p
    return (sum(ri for ri, li in zip(r, l) if li) - p * (p + 1) / 2) / (p * n) if p and n else None

def pearson(x, y):
    n = len(x); mx = sum(x) / n; my = sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y)); sxx = sum((a - mx) ** 2 for a in x); syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else None

def best_f1(s, l):
    best = (0, 0, 0)
    for t in sorted(set(s)):
        tp = sum(1 for a, b in zip(s, l) if a >= t and b); fp = sum(1 for a, b in zip(s, l) if a >= t and not b)
        fn = sum(1 for a, b in zip(s, l) if a < t and b); tn = len(s) - tp - fp - fn
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0
        if f > best[0]: best = (f, t, (tp + tn) / len(s))
    return best

pairs = [json.loads(l) for l in open(sys.argv[1])]
docs = {}
if len(sys.argv) > 2:  # ids into a docs file
    for l in open(sys.argv[2]):
        d = json.loads(l); docs[d["id"]] = d["text"]
    texts = [(docs[p["a"]], docs[p["b"]]) for p in pairs]
else:
    tf = lambda p, s: ((p.get(s + "_title") or "") + "\n" + (p.get(s + "_text") or "")).strip()
    texts = [(tf(p, "a"), tf(p, "b")) for p in pairs]
labels = [1 if p["label"] else 0 for p in pairs]
graded = [(5 - p["overall"]) if "overall" in p else p.get("grade") for p in pairs]
uniq = {t for ab in texts for t in ab}; N = len(uniq); df = Counter()
for t in uniq: df.update(set(words(t)))
def tfidf(t):
    c = Counter(words(t)); v = {w: n * math.log(N / df[w]) for w, n in c.items()}
    z = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / z for w, x in v.items()}
def cos(a, b):
    a, b = tfidf(a), tfidf(b); return sum(x * b.get(w, 0) for w, x in a.items())
measures = {
    "word1 Jaccard": lambda a, b: jac(grams(words(a), 1), grams(words(b), 1)),
    "word5 Jaccard": lambda a, b: jac(grams(words(a), 5), grams(words(b), 5)),
    "TF-IDF cosine": cos,
    "char5 Jaccard": lambda a, b: jac(chars(a), chars(b)),
}
groups = {"all": list(range(len(pairs)))}
if "lang" in pairs[0]:
    for i, p in enumerate(pairs): groups.setdefault(p["lang"], []).append(i)
out = {}
for name, f in measures.items():
    s = [f(a, b) for a, b in texts]; o = {}
    for g, idx in groups.items():
        gs = [s[i] for i in idx]; gl = [labels[i] for i in idx]; gg = [graded[i] for i in idx]
        bf = best_f1(gs, gl)
        o[g] = {"auc": auc(gs, gl), "best_f1": bf[0], "accuracy_at_best": bf[2],
                "spearman": pearson(ranks(gs), ranks(gg)) if gg[0] is not None else None}
    out[name] = o
print(json.dumps(out))
