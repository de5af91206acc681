#!/usr/bin/env bash
# Peer benchmark (see README.md here). Makes its own virtualenv with pinned peers, builds
# storyhash, generates a synthetic corpus from ../shared/data, runs every engine on it.
# Usage: DOCS=2000 bash benches/peers/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-benches/peers/.venv}
DATA=${DATA:-../shared/data}
DOCS=${DOCS:-2000}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q datasketch==2.0.0 rensa==0.5.0 gaoya==0.2.2 FastSketchLSH==1.0.1 \
  || echo "warning: some peers failed to install; they will be skipped" >&2
cargo build --release -q
CORPUS=${CORPUS:-/tmp/storyhash-peers-$DOCS.jsonl}
srcs=()
for f in semeval2022-news-similarity/pairs.jsonl msrp-paraphrase/train.jsonl text-reuse-clough-stevenson/docs.jsonl; do
  [ -f "$DATA/$f" ] && srcs+=("$DATA/$f")
done
target/release/storyhash synth --source "${srcs[@]}" fixtures/seeds/seed_case.jsonl --docs "$DOCS" --seed 1 --out "$CORPUS"
"$VENV/bin/python" benches/peers/peers.py "$CORPUS" target/release/storyhash
