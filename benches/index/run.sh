#!/usr/bin/env bash
# Archive-index figures: bulk add, bytes on disk, open time, query latency one article at a
# time, durable single adds, peak RSS. The corpus is synthetic (`storyhash synth`: articles
# composed of runs of real sentences from the labelled sets, with edited copies); figures
# measured on it are labelled synthetic.
#
#   DOCS=1000000 bash benches/index/run.sh     # the README's figures (about 10 minutes)
#   DOCS=100000 bash benches/index/run.sh      # a quicker look
#   PRESET=story DOCS=100000 bash benches/index/run.sh   # the story preset
#
# Environment: PRESET (copy or story, default copy; the story preset's corpus is real texts
# whole plus edited copies, `synth --whole`, as composed articles share real sentences that the
# story preset rightly joins into a few huge stories), DOCS (archive size, default 1,000,000), QUERIES (default 2,000), THREADS for
# the bulk add (default: all cores; the query and single-add figures are on one thread),
# WORK (default target/index-bench), DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/../.."
PRESET=${PRESET:-copy}
DOCS=${DOCS:-1000000}
QUERIES=${QUERIES:-2000}
WORK=${WORK:-target/index-bench}
DATA=${DATA:-../shared/data}
mkdir -p "$WORK"
cargo build --release -q
B=target/release/storyhash
whole=""
[ "$PRESET" = story ] && whole="--whole"
corpus="$WORK/synth-$DOCS-$QUERIES$whole.jsonl"
if [ ! -s "$corpus" ]; then
  echo "== synth: $((DOCS + QUERIES)) synthetic articles" >&2
  $B synth --source "$DATA/semeval2022-news-similarity/pairs.jsonl" \
    "$DATA/text-reuse-clough-stevenson/docs.jsonl" --docs $((DOCS + QUERIES)) --seed 1 \
    $whole --out "$corpus"
fi
head -n "$DOCS" "$corpus" > "$WORK/archive.jsonl"
tail -n "$QUERIES" "$corpus" > "$WORK/queries.jsonl"
echo "corpus: $(du -h "$WORK/archive.jsonl" | cut -f1) archive of $DOCS synthetic articles, $QUERIES later articles as queries"

idx="$WORK/idx-$PRESET-$DOCS"
rm -rf "$idx"
$B index create "$idx" --preset "$PRESET" > /dev/null
echo "== bulk add ($DOCS articles, ${THREADS:-all} threads)" >&2
# --answers: every article's answer is computed and written, as a wire desk would keep them.
env ${THREADS:+RAYON_NUM_THREADS=$THREADS} /usr/bin/time -f "bulk add: %e s wall, %U s user, peak RSS %M KB" \
  $B index add "$idx" "$WORK/archive.jsonl" --answers /dev/null
if [ "$PRESET" = story ]; then
  # The stories made again by one batch run over the archive (`index settle`).
  env ${THREADS:+RAYON_NUM_THREADS=$THREADS} /usr/bin/time -f "settle: %e s wall, %U s user, peak RSS %M KB" \
    $B index settle "$idx"
fi
echo "== one thread: open, queries, durable adds" >&2
RAYON_NUM_THREADS=1 cargo bench -q --bench index -- --dir "$idx" --queries "$WORK/queries.jsonl" --adds 1000
