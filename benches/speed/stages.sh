#!/usr/bin/env bash
# The four stage commands (sign, candidates, verify, link) against one `cluster` run, both
# presets, on the same corpus: a **synthetic** `storyhash synth` corpus (20,000 articles by
# default). Runs alternate stages, cluster, stages, cluster... so that a drift in the machine's
# speed falls on both; prints each side's median wall time and the median of the run-by-run
# ratios, checks that the stages' JSONL equals cluster's, and prints the stage files' bytes an
# article, on this corpus and (when ../shared/data is there) on SemEval-2022's real articles.
#
#   RUNS=5 DOCS=20000 bash benches/speed/stages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
DOCS=${DOCS:-20000}
DATA=${DATA:-../shared/data}
cargo build --release -q
B=$PWD/target/release/storyhash
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$B" synth --source fixtures/seeds/seed_case.jsonl --docs "$DOCS" --seed 42 --out "$W/syn.jsonl" 2> /dev/null
stages() { # INPUT PRESET PREFIX [READ OPTIONS...]
    local in=$1 p=$2 o=$3
    shift 3
    "$B" sign "$in" -o "$o.s.parquet" --preset "$p" -q "$@"
    "$B" candidates "$o.s.parquet" -o "$o.c.parquet" -q
    "$B" verify "$o.s.parquet" --candidates "$o.c.parquet" -o "$o.v.parquet" -q
    "$B" link "$o.s.parquet" --verified "$o.v.parquet" --format jsonl -q > "$o.link.jsonl"
}
now() { date +%s.%N; }
for p in copy story; do
    : > "$W/times"
    for _ in $(seq "$RUNS"); do
        t0=$(now); stages "$W/syn.jsonl" "$p" "$W/$p"; t1=$(now)
        "$B" cluster "$W/syn.jsonl" --preset "$p" --format jsonl -q > "$W/$p.cluster.jsonl"; t2=$(now)
        echo "$t0 $t1 $t2" >> "$W/times"
    done
    cmp -s "$W/$p.link.jsonl" "$W/$p.cluster.jsonl" || { echo "$p: the stages' JSONL differs from cluster's" >&2; exit 1; }
    python3 - "$W/times" "$p" "$DOCS" <<'PY'
import statistics as st, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
a = [r[1] - r[0] for r in rows]; b = [r[2] - r[1] for r in rows]
print(f"{sys.argv[2]:5} preset, {sys.argv[3]} synthetic articles: stages {st.median(a):.2f} s, "
      f"cluster {st.median(b):.2f} s, ratio {st.median(x / y for x, y in zip(a, b)):.2f} "
      f"(median of {len(rows)} paired runs; the same JSONL bytes)")
PY
    for s in s c v; do
        printf '  %s file: %s bytes an article\n' "$s" $(( $(stat -c %s "$W/$p.$s.parquet") / DOCS ))
    done
done
sem=$DATA/semeval2022-news-similarity/pairs.jsonl
if [ -f "$sem" ]; then
    python3 - "$sem" "$W/sem.jsonl" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    for s in "ab":
        seen.setdefault(r[s + "_id"], {"id": r[s + "_id"], "title": r.get(s + "_title") or "", "text": r[s + "_text"]})
with open(sys.argv[2], "w") as f:
    for v in seen.values():
        f.write(json.dumps(v) + "\n")
PY
    n=$(wc -l < "$W/sem.jsonl")
    echo "SemEval-2022, $n real articles, $(( $(stat -c %s "$W/sem.jsonl") / n )) bytes of JSONL an article:"
    for p in copy story; do
        stages "$W/sem.jsonl" "$p" "$W/sem-$p" --title-field title
        printf '  %-5s signed %s, candidates %s, verified %s bytes an article\n' "$p" \
            $(( $(stat -c %s "$W/sem-$p.s.parquet") / n )) $(( $(stat -c %s "$W/sem-$p.c.parquet") / n )) \
            $(( $(stat -c %s "$W/sem-$p.v.parquet") / n ))
    done
fi
