"""Generate pathological JSONL corpora for `run.sh` (synthetic: built from the seed fixture's
real article, or from random characters where stated)."""
import json, random, sys, os
out = sys.argv[1]
n = int(os.environ.get("N", "100000"))
random.seed(1)
seed = [json.loads(l) for l in open(os.path.join(os.path.dirname(__file__), "../../fixtures/seeds/seed_case.jsonl"))]
body = seed[0]["text"][:2000]
words = body.split()
def write(name, docs):
    with open(os.path.join(out, name), "w") as f:
        for i, t in enumerate(docs):
            f.write(json.dumps({"id": "%s-%07d" % (name.split('.')[0], i), "text": t}, ensure_ascii=False) + "\n")
write("identical.jsonl", (body for _ in range(n)))
write("near_empty.jsonl", (" ".join(random.choice(words) for _ in range(random.randrange(4))) for _ in range(n)))
write("one_word.jsonl", ((random.choice(words) + " ") * 500 for _ in range(n // 10)))
def nospace(i):
    if i % 2:
        return "".join(chr(random.randrange(0x4E00, 0x4E00 + 400)) for _ in range(600))
    return "".join(chr(random.randrange(0x0E01, 0x0E2F)) for _ in range(1500))
write("no_spaces.jsonl", (nospace(i) for i in range(n // 10)))
