#!/usr/bin/env bash
# Peer benchmark (see README.md here). Makes its own virtualenv with pinned peers, builds
# storyhash, generates a synthetic corpus from ../shared/data, runs every engine on it.
# Usage: DOCS=2000 bash benches/peers/run.sh   (WHEEL=target/wheels/storyhash-*.whl: use a built wheel;
# ENGINES="storyhash wheel,rensa": only those engines besides the CLI rows)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-benches/peers/.venv}
DATA=${DATA:-../shared/data}
DOCS=${DOCS:-2000}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q datasketch==2.0.0 rensa==0.5.0 gaoya==0.2.2 FastSketchLSH==1.0.1 \
  || echo "warning: some peers failed to install; they will be skipped" >&2
cargo build --release -q
# storyhash's own Python module beside the peers: WHEEL=path installs a built wheel; otherwise
# it is built here (a release build: about 10 minutes from clean on two cores).
if [ -n "${WHEEL:-}" ]; then
  "$VENV/bin/pip" install -q pyarrow
  "$VENV/bin/pip" install -q --force-reinstall --no-deps "$WHEEL"
else
  "$VENV/bin/pip" install -q "maturin>=1.9,<2" pyarrow
  rm -f target/wheels/storyhash-*.whl
  "$VENV/bin/maturin" build --release --quiet -m crates/python/Cargo.toml -o target/wheels -i "$VENV/bin/python"
  "$VENV/bin/pip" install -q --force-reinstall --no-deps target/wheels/storyhash-*.whl
fi
CORPUS=${CORPUS:-/tmp/storyhash-peers-$DOCS.jsonl}
srcs=()
for f in semeval2022-news-similarity/pairs.jsonl msrp-paraphrase/train.jsonl text-reuse-clough-stevenson/docs.jsonl; do
  [ -f "$DATA/$f" ] && srcs+=("$DATA/$f")
done
target/release/storyhash synth --source "${srcs[@]}" fixtures/seeds/seed_case.jsonl --docs "$DOCS" --seed 1 --out "$CORPUS"
"$VENV/bin/python" benches/peers/peers.py "$CORPUS" target/release/storyhash
