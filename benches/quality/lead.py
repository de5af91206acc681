#!/usr/bin/env python3
"""Lead-only copies of real articles (synthetic edits, labelled as such): how often each preset
puts a copy that keeps only the headline and the first paragraphs of its source, k% of its
words cut at a paragraph end (with or without an agency credit line; or with one sentence
of another article inserted, keeping 20%, 35% or 60%), in its source's cluster, and how precise those joins are.

Sources are the real SemEval-2022 articles in ../shared/data (DATA= overrides). The corpus is
every article once, plus one synthetic copy for each of N sources (N=600 by default). Usage:
    python3 benches/quality/lead.py [BINARY]     (default target/release/storyhash)
Prints one markdown table; the corpus is written to $TMPDIR.
"""
import json, os, random, re, subprocess, sys, tempfile
from collections import defaultdict

data = os.environ.get("DATA", "../shared/data")
binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/storyhash"
n_copies = int(os.environ.get("N", "600"))
rng = random.Random(int(os.environ.get("SEED", "1")))

articles = {}
# Articles SemEval pairs with each other may be one story: a copy joined with its source's
# partner is neither right nor wrong here, and is left out of the precision.
partners = defaultdict(set)
for line in open(os.path.join(data, "semeval2022-news-similarity/pairs.jsonl")):
    p = json.loads(line)
    partners[p["a_id"]].add(p["b_id"])
    partners[p["b_id"]].add(p["a_id"])
    for side in "ab":
        aid, title, text = p[f"{side}_id"], p[f"{side}_title"] or "", p[f"{side}_text"] or ""
        if aid not in articles and text.strip():
            articles[aid] = (title.strip(), text)

def paragraphs(text):
    return [x.strip() for x in text.split("\n") if x.strip()]

def sentences(text):
    out = []
    for para in paragraphs(text):
        for s in para.replace("? ", "?\n").replace("! ", "!\n").replace(". ", ".\n").split("\n"):
            if 8 <= len(s.split()) <= 40:
                out.append(s)
    return out

CREDITS_BEFORE = ["(Reuters) - ", "(AP) — ", "PARIS (AFP) - ", "(dpa) "]
CREDITS_AFTER = ["Source: VNA", "(Reporting by staff; Editing by the desk)", "© AFP", "Quelle: dpa"]

ids = sorted(articles)
# News-length sources: five paragraphs or more and 150 words or more (scraping leaves stubs).
eligible = [i for i in ids
            if len(paragraphs(articles[i][1])) >= 5 and len(articles[i][1].split()) >= 150]

def lead_of(paras, share):
    """The first paragraphs holding `share` of the words (at least one): a cut at a paragraph
    end, as a site that republishes the first paragraphs makes it."""
    total = sum(len(x.split()) for x in paras)
    keep, words = [], 0
    for x in paras:
        if keep and words >= share * total:
            break
        keep.append(x)
        words += len(x.split())
    return keep
sources = rng.sample(eligible, min(n_copies, len(eligible)))
FOREIGN = (20, 35, 60)
variants = [(k, credit) for k in (20, 35, 50, 70) for credit in (False, True)] + \
    [(f"lead+1@{k}", False) for k in FOREIGN]
docs, family, variant_of, donor_of = [], {}, {}, {}

def variant_of_n(k, credit):
    if str(k).startswith("lead+1@"):
        return f"{k.split('@')[1]}% + 1 foreign sentence"
    return f"{k}%{' + credit' if credit else ''}"

for i in ids:
    title, text = articles[i]
    docs.append({"id": i, "text": (title + "\n" + text) if title else text})
    family[i] = i
for n, src in enumerate(sources):
    title, text = articles[src]
    paras = paragraphs(text)
    k, credit = variants[n % len(variants)]
    if str(k).startswith("lead+1@"):
        keep = lead_of(paras, int(k.split("@")[1]) / 100)
        donor = rng.choice([x for x in ids if x != src])
        while not sentences(articles[donor][1]):
            donor = rng.choice([x for x in ids if x != src])
        donor_sentences = sentences(articles[donor][1])
        keep.insert(rng.randrange(1, len(keep) + 1), rng.choice(donor_sentences))
        donor_of[f"lead-{n:05d}"] = donor
    else:
        keep = lead_of(paras, k / 100)
    if credit:
        if rng.random() < 0.5:
            keep[0] = rng.choice(CREDITS_BEFORE) + keep[0]
        else:
            keep.append(rng.choice(CREDITS_AFTER))
    cid = f"lead-{n:05d}"
    body = "\n".join(keep)
    docs.append({"id": cid, "text": (title + "\n" + body) if title else body, "synthetic": True,
                 "source": src, "variant": variant_of_n(k, credit)})
    family[cid] = src
    variant_of[cid] = variant_of_n(k, credit)

tmp = tempfile.mkdtemp()
corpus = os.path.join(tmp, "lead.jsonl")
with open(corpus, "w") as f:
    for d in docs:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")

text_of = {d["id"]: d["text"] for d in docs}

def grams(text, n=5):
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i:i + n]) for i in range(max(len(w) - n + 1, 0))}

def copied(c, m):
    """Whether copy c is, by its exact word 5-grams, at least half in m: SemEval holds the same
    agency text from several outlets, and a copy of one is a copy of the others."""
    g = grams(text_of[c])
    return bool(g) and len(g & grams(text_of[m])) / len(g) >= 0.5

def run(preset):
    extra = os.environ.get("EXTRA", "").split()
    out = subprocess.run([binary, "cluster", corpus, "--preset", preset, "--format", "jsonl", "-q", *extra],
                         check=True, capture_output=True, text=True).stdout
    cluster_of = {}
    members = []
    for line in out.splitlines():
        c = json.loads(line)
        members.append([str(m) for m in c["members"]])
        for m in c["members"]:
            cluster_of[str(m)] = c["id"]
    found = defaultdict(lambda: [0, 0])
    for cid, v in variant_of.items():
        found[v][1] += 1
        found[v][0] += cluster_of[cid] == cluster_of[family[cid]]
    # Pairwise precision of the joins that involve a copy: the other member is of its family.
    good = bad = inherited = 0
    for ms in members:
        copies = [m for m in ms if m in variant_of]
        for c in copies:
            for m in ms:
                if m == c or (m in variant_of and m < c):
                    continue
                if family[m] == family[c] or copied(c, m):
                    good += 1
                elif family[m] not in partners[family[c]]:
                    bad += 1
                    # Wrong only by the story its source is in: the source is here too.
                    inherited += family[c] in ms
    # A copy with a foreign sentence hijacked: in its donor's cluster, apart from its source.
    hijacked = sum(cluster_of[c] == cluster_of[d] and cluster_of[c] != cluster_of[family[c]]
                   for c, d in donor_of.items())
    # ... or in one cluster with both (the donor's story merged with the source's).
    bridged = sum(cluster_of[c] == cluster_of[d] == cluster_of[family[c]]
                  and d not in partners[family[c]] for c, d in donor_of.items())
    # A copy placed away from its source, in a cluster with other documents (a wrong story).
    elsewhere = 0
    for c in variant_of:
        if cluster_of[c] != cluster_of[family[c]]:
            mates = [m for ms in members if c in ms for m in ms if m != c]
            elsewhere += any(not copied(c, m) and family[m] not in partners[family[c]]
                             for m in mates)
    return found, good, (bad, inherited), (hijacked, bridged), elsewhere

results = {p: run(p) for p in ("copy", "story")}
print(f"Lead-only copies of {len(sources)} real SemEval articles (synthetic edits), in a corpus of "
      f"{len(docs)} documents; share found in its source's cluster:\n")
print("Pairwise precision counts the pairs of a cluster that hold a copy: right when the other is")
print("its source or holds half of its word 5-grams (SemEval has one agency text from several")
print("outlets), wrong otherwise; pairs with its source's SemEval partners are left out.\n")
print("| copy keeps | copies | copy preset | story preset |")
print("|---|---|---|---|")
order = [f"{k}%{c}" for k in (20, 35, 50, 70) for c in ("", " + credit")] + \
    [f"{k}% + 1 foreign sentence" for k in FOREIGN]
for v in order:
    row = [v, str(results["copy"][0][v][1])]
    for p in ("copy", "story"):
        got, total = results[p][0][v]
        row.append(f"{got / total:.3f}" if total else "-")
    print("| " + " | ".join(row) + " |")
for p in ("copy", "story"):
    _, good, (bad, inherited), _, _ = results[p]
    prec = good / (good + bad) if good + bad else float("nan")
    print(f"\n{p} preset: pairwise precision {prec:.4f} ({good} right, {bad} wrong, of which "
          f"{inherited} with the copy's source in the cluster too)", end="")
print()
for p in ("copy", "story"):
    hijacked, bridged = results[p][3]
    print(f"{p} preset: of {len(donor_of)} copies with a foreign sentence, {hijacked} are in the "
          f"donor's cluster apart from their source, {bridged} bridge the two in one cluster")
for p in ("copy", "story"):
    print(f"{p} preset: of {len(variant_of)} copies, {results[p][4]} are apart from their source "
          f"in a cluster with other articles (not their source's SemEval partners)")
