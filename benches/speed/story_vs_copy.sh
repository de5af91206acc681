#!/usr/bin/env bash
# Story preset against copy preset, end to end (JSONL in, clusters out), on the same corpus:
# 2,163 real SemEval texts whole plus **synthetic** edited copies, 22,000 documents by default.
# Runs alternate copy, story, copy, story... so that a drift in the machine's speed (this VM's
# moves by up to 20% within minutes) falls on both; prints medians, ranges, CPU time and the
# ratio of speeds (copy's time over story's) for two threads and for one core (taskset).
#
#   RUNS=9 DOCS=22000 bash benches/speed/story_vs_copy.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-9}
DOCS=${DOCS:-22000}
DATA=${DATA:-../shared/data}
cargo build --release -q
B=target/release/storyhash
W=${CORPUS:-/tmp/storyhash-whole-$DOCS.jsonl}
if [ ! -s "$W" ]; then
    "$B" synth --whole --source "$DATA/semeval2022-news-similarity/pairs.jsonl" \
        --docs "$DOCS" --seed 1 --out "$W"
fi
T=$(mktemp)
trap 'rm -f "$T"' EXIT
for mode in "2 threads" "one core"; do
    pre=()
    [ "$mode" = "one core" ] && pre=(taskset -c 0)
    for _ in $(seq "$RUNS"); do
        for p in copy story; do
            /usr/bin/time -f "$mode|$p|%e|%U|%S" -a -o "$T" "${pre[@]}" "$B" cluster "$W" \
                --preset "$p" --format jsonl > /dev/null 2> /dev/null
        done
    done
done
python3 - "$T" "$W" "$RUNS" <<'PY'
import statistics as st, sys
runs = {}
for line in open(sys.argv[1]):
    mode, preset, wall, user, sys_ = line.strip().split("|")
    runs.setdefault((mode, preset), []).append((float(wall), float(user) + float(sys_)))
print(f"corpus {sys.argv[2]}, {sys.argv[3]} interleaved runs of each preset")
for mode in ["2 threads", "one core"]:
    med = {}
    for p in ["copy", "story"]:
        w = sorted(x[0] for x in runs[(mode, p)])
        cpu = st.median(x[1] for x in runs[(mode, p)])
        med[p] = st.median(w)
        print(f"{mode:9} {p:5} wall median {med[p]:.2f} s ({w[0]:.2f}-{w[-1]:.2f}), CPU median {cpu:.2f} s")
    print(f"{mode:9} story runs at {med['copy'] / med['story']:.3f} of copy's speed")
PY
