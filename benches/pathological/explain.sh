#!/usr/bin/env bash
# Pathological pairs for `storyhash explain`: time and peak memory (synthetic inputs).
# - two near-identical texts of MB megabytes each (words drawn from the bundled seed texts, the
#   second with every 1000th word replaced);
# - one word repeated (2 and 3 million times).
# Usage: bash benches/pathological/explain.sh   (MB=50 by default; OUT=/tmp/storyhash-explain)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/storyhash-explain}; MB=${MB:-50}; mkdir -p "$OUT"
cargo build --release -q
python3 - "$OUT" "$MB" <<'PY'
import json, random, sys
out, mb = sys.argv[1], int(sys.argv[2])
random.seed(1)
words = " ".join(json.loads(l)["text"] for l in open("fixtures/seeds/seed_case.jsonl")).split()
a, size = [], 0
while size < mb * 1024 * 1024:
    w = random.choice(words); a.append(w); size += len(w) + 1
b = a[:]
for i in range(0, len(b), 1000):
    b[i] = "EDITED"
open(f"{out}/near_a.txt", "w").write(" ".join(a))
open(f"{out}/near_b.txt", "w").write(" ".join(b))
open(f"{out}/word_a.txt", "w").write("word " * 2_000_000)
open(f"{out}/word_b.txt", "w").write("word " * 3_000_000)
PY
echo "| pair (synthetic) | MB (a + b) | seconds | peak RSS MB | passages |"
echo "|---|---|---|---|---|"
for p in near word; do
  a="$OUT/${p}_a.txt"; b="$OUT/${p}_b.txt"
  /usr/bin/time -f "%e %M" -o "$OUT/time" target/release/storyhash explain "$a" "$b" --format json > "$OUT/out.json"
  read -r secs kb < "$OUT/time"
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["passages"]))' "$OUT/out.json")
  echo "| $p | $(( ($(stat -c %s "$a") + $(stat -c %s "$b")) / 1000000 )) | $secs | $(( kb / 1024 )) | $n |"
done
