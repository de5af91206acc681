#!/usr/bin/env bash
# Pathological corpora: time and peak memory of `storyhash cluster` on each (synthetic inputs).
# Usage: bash benches/pathological/run.sh   (N=100000 by default; OUT=/tmp/storyhash-patho)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/storyhash-patho}; mkdir -p "$OUT"
cargo build --release -q
python3 benches/pathological/gen.py "$OUT"
echo "| corpus (synthetic) | docs | MB | preset | seconds | peak RSS MB | clusters |"
echo "|---|---|---|---|---|---|---|"
for f in identical near_empty one_word no_spaces; do
  for p in copy story; do
    file="$OUT/$f.jsonl"
    /usr/bin/time -f "%e %M" -o "$OUT/time" target/release/storyhash cluster "$file" --preset $p --format jsonl -q > "$OUT/out.jsonl"
    read -r secs kb < "$OUT/time"
    echo "| $f | $(wc -l < "$file") | $(( $(stat -c %s "$file") / 1000000 )) | $p | $secs | $(( kb / 1024 )) | $(wc -l < "$OUT/out.jsonl") |"
  done
done
