#!/usr/bin/env bash
# Load on `storyhash serve`: POST /query at 1, 8 and 64 connections (10 s each, wrk with
# query.lua beside this script) while one writer connection adds new articles all along
# (a second wrk, same script, SERVE_LOAD_MODE=add); prints requests/s and p99 latency per
# connection count and the server's peak RSS, then stops the server with SIGTERM. About 40 s
# in all.
#
#   bash benches/index/serve_load.sh DIR ARTICLES.jsonl
#
# DIR: an index (`storyhash index create DIR && storyhash index add DIR ARTICLES.jsonl`); the
# writer's adds stay in it. ARTICLES.jsonl: the texts sent (each line's "text"; the first 2,000).
# Environment: DURATION (seconds a step, default 10), CONNS (default "1 8 64"), WRK_THREADS
# (at most 2, default 2). Traffic goes to 127.0.0.1 only.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 INDEX_DIR ARTICLES.jsonl" >&2
  exit 2
fi
dir=$(realpath "$1")
articles=$(realpath "$2")
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-1 8 64}
WRK_THREADS=${WRK_THREADS:-2}
[ "$WRK_THREADS" -gt 2 ] && WRK_THREADS=2
[ -f "$dir/index.redb" ] || { echo "$dir is not an index (no index.redb)" >&2; exit 2; }
[ -s "$articles" ] || { echo "$articles is empty or missing" >&2; exit 2; }

if ! command -v wrk > /dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "== installing wrk (apt-get)" >&2
    apt-get update -qq && apt-get install -y -qq wrk > /dev/null
  fi
  command -v wrk > /dev/null || {
    echo "wrk is needed: install it (Debian: apt-get install wrk) and run again" >&2
    exit 2
  }
fi
B=target/release/storyhash
if [ ! -x "$B" ]; then
  echo "== cargo build --release" >&2
  cargo build --release -q
fi

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2> /dev/null; then kill -TERM "$server"; wait "$server" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$B" serve "$dir" --addr 127.0.0.1:0 --print-addr > "$work/addr" 2> "$work/server.log" &
server=$!
for _ in $(seq 100); do
  [ -s "$work/addr" ] && break
  kill -0 "$server" 2> /dev/null || { cat "$work/server.log" >&2; exit 2; }
  sleep 0.1
done
addr=$(head -n 1 "$work/addr")
[ -n "$addr" ] || { echo "the server printed no address in 10 s" >&2; cat "$work/server.log" >&2; exit 2; }
url="http://$addr"
echo "== serving $dir at $url; $(curl -s "$url/health")" >&2

lua=benches/index/query.lua
export SERVE_LOAD_ARTICLES=$articles
results=()
step=0
for c in $CONNS; do
  step=$((step + 1))
  t=$WRK_THREADS
  [ "$c" -lt "$t" ] && t=$c
  echo "== $c connections: queries for ${DURATION}s, one writer adding" >&2
  SERVE_LOAD_MODE=add SERVE_LOAD_RUN="$$-$step" \
    wrk -t1 -c1 -d"${DURATION}s" --timeout 10s -s "$lua" "$url" > "$work/add-$c.txt" 2>&1 &
  writer=$!
  SERVE_LOAD_MODE=query wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 10s -s "$lua" "$url" \
    > "$work/query-$c.txt" 2>&1
  wait "$writer"
  q=$(grep '^RESULT' "$work/query-$c.txt") || { cat "$work/query-$c.txt" >&2; exit 1; }
  a=$(grep '^RESULT' "$work/add-$c.txt") || { cat "$work/add-$c.txt" >&2; exit 1; }
  results+=("$c $q $a")
done

echo
printf '%-11s %12s %14s %9s %9s %12s %10s\n' connections "query req/s" "query p99 ms" "non-2xx" errors "adds/s" "add p99 ms"
for r in "${results[@]}"; do
  # c RESULT query rps p99 non2xx errs RESULT add rps p99 non2xx errs
  read -r c _ _ qr qp qn qe _ _ ar ap an ae <<< "$r"
  printf '%-11s %12s %14s %9s %9s %12s %10s\n' "$c" "$qr" "$qp" "$((qn + an))" "$((qe + ae))" "$ar" "$ap"
done
echo "index after: $(curl -s "$url/health")"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$server/status")"

kill -TERM "$server"
if wait "$server"; then
  echo "server stopped on SIGTERM (exit 0)"
else
  echo "server exited $? on SIGTERM" >&2
  cat "$work/server.log" >&2
  exit 1
fi
server=
