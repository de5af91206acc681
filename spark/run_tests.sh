#!/usr/bin/env bash
# The Spark job's tests: PySpark from PyPI in local[2] mode, with the machine's Java 17 and
# the wheel crates/python/run_tests.sh installs in target/pyvenv, against the CLI. Whatever
# cannot be found or installed fails the script (nonzero, with the reason): nothing is
# skipped.
#
#   spark/run_tests.sh [PYTEST ARGS...]
#
# JAVA_HOME picks the JVM (else the `java` on PATH); Spark runs at nice 10, builds at nice 15
# on CARGO_BUILD_JOBS jobs (1 by default: the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() {
  echo "spark/run_tests.sh: error: $*" >&2
  exit 1
}
# PySpark 4.0 runs on Java 17 or 21; mapInArrow needs pandas and pyarrow beside it.
PYSPARK_PIN="pyspark==4.0.1"
PANDAS_PIN="pandas>=2,<3"

venv=target/pyvenv
py=$venv/bin/python
[ -x "$py" ] || fail "no venv at $venv: run crates/python/run_tests.sh first (it makes the venv and installs the wheel)"
"$py" -c 'import storyhash; storyhash.sign_rows; storyhash.verify_pairs' 2>/dev/null ||
  fail "the storyhash wheel in $venv has no sign_rows/verify_pairs: run crates/python/run_tests.sh first (it builds and installs the wheel)"

if [ -z "${JAVA_HOME:-}" ] && ! command -v java >/dev/null; then
  # CI installs what it needs: Debian's Java 17 runtime, as the browser test installs Chromium.
  command -v apt-get >/dev/null || fail "no Java, and no apt-get to install it: install a JDK 17 or set JAVA_HOME"
  [ "$(id -u)" = 0 ] || fail "no Java; installing it needs root (apt-get install openjdk-17-jre-headless)"
  echo "spark/run_tests.sh: installing openjdk-17-jre-headless (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || fail "apt-get update failed"
  apt-get install -y openjdk-17-jre-headless >&2 || fail "apt-get install openjdk-17-jre-headless failed"
fi
if [ -z "${JAVA_HOME:-}" ]; then
  java=$(command -v java) || fail "no Java after installing it: set JAVA_HOME"
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$java")")")
fi
[ -x "$JAVA_HOME/bin/java" ] || fail "JAVA_HOME=$JAVA_HOME has no bin/java"
version=$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ -n "$version" ] && [ "$version" -ge 17 ] ||
  fail "Java at $JAVA_HOME is version ${version:-unknown}: PySpark 4 needs 17 or later"
export JAVA_HOME

"$py" -m pip install --quiet --disable-pip-version-check "$PYSPARK_PIN" "$PANDAS_PIN" pytest ||
  fail "cannot install $PYSPARK_PIN and $PANDAS_PIN into $venv (is PyPI reachable?)"

t=$SECONDS
nice -n 15 env CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo build --quiet --bin storyhash ||
  fail "the CLI did not build"
echo "spark/run_tests.sh: CLI built in $((SECONDS - t)) s" >&2

# Spark's Python workers must be the venv's (the one with the wheel), not the system's.
export PYSPARK_PYTHON="$PWD/$py" PYSPARK_DRIVER_PYTHON="$PWD/$py"
t=$SECONDS
cd spark
status=0
nice -n 10 "../$py" -m pytest -p no:cacheprovider -q -rs "$@" || status=$?
echo "spark/run_tests.sh: tests ran in $((SECONDS - t)) s" >&2
exit $status
