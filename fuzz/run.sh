#!/usr/bin/env bash
# Run every fuzz target for FUZZ_SECONDS (default 120) each, seeded from fixtures/.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# it use the sanitizer flags. Crashes land in fuzz/artifacts/<target>/: minimise them with
# `cargo fuzz tmin`, copy them to fixtures/fuzz/ and add a test in tests/regression_fuzz.rs.
set -euo pipefail
cd "$(dirname "$0")"
S=${FUZZ_SECONDS:-120}
mkdir -p corpus/jsonl_reader corpus/csv_reader corpus/text_pipeline corpus/compressed_reader
gzip -c ../fixtures/seeds/seed_case.jsonl > corpus/compressed_reader/seed.gz
split -l 1 -d ../fixtures/seeds/seed_case.jsonl corpus/jsonl_reader/seed-
cp ../fixtures/seeds/*.txt corpus/text_pipeline/
printf 'id,text\na,"two\nlines"\nb,x\n' > corpus/csv_reader/seed.csv
for t in jsonl_reader csv_reader text_pipeline compressed_reader; do
  echo "== $t ($S s)"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$S" -rss_limit_mb=4096 2>&1 | tail -3
done
