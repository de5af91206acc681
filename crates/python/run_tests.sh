#!/usr/bin/env bash
# The Python module's tests: build the wheel, install it in a venv, build the CLI the tests
# compare against, run pytest. Anything that cannot be installed or built fails the script
# (nonzero, with the reason); only polars is optional, and its tests say why they skip.
#
#   crates/python/run_tests.sh [PYTEST ARGS...]
#
# PYTHON picks the interpreter the venv is made from (python3 by default); builds run at low
# priority on CARGO_BUILD_JOBS jobs (1 by default: the machine is shared).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() {
  echo "run_tests.sh: error: $*" >&2
  exit 1
}
venv=target/pyvenv
py=$venv/bin/python
jobs=${CARGO_BUILD_JOBS:-1}
if [ ! -x "$py" ]; then
  "${PYTHON:-python3}" -m venv "$venv" || fail "cannot make a venv at $venv with ${PYTHON:-python3} (is the venv module installed?)"
fi
"$py" -m pip install --quiet --disable-pip-version-check "maturin>=1.9,<2" pytest "pyarrow>=14" ||
  fail "cannot install maturin, pytest and pyarrow into $venv (is PyPI reachable?)"
"$py" -m pip install --quiet --disable-pip-version-check polars ||
  echo "run_tests.sh: polars did not install: its tests will be skipped, with that reason" >&2

t=$SECONDS
rm -f target/wheels/storyhash-*.whl
nice -n 15 env CARGO_BUILD_JOBS="$jobs" "$venv/bin/maturin" build --release --quiet \
  -m crates/python/Cargo.toml -o target/wheels -i "$py" || fail "the wheel did not build"
echo "run_tests.sh: wheel built in $((SECONDS - t)) s" >&2
wheels=(target/wheels/storyhash-*.whl)
[ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || fail "expected one wheel in target/wheels, found: ${wheels[*]}"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "${wheels[0]}" ||
  fail "cannot install ${wheels[0]}"

t=$SECONDS
nice -n 15 env CARGO_BUILD_JOBS="$jobs" cargo build --quiet --bin storyhash || fail "the CLI did not build"
echo "run_tests.sh: CLI built in $((SECONDS - t)) s" >&2

# From the tests' directory, so that the installed wheel is imported, not the source tree.
cd crates/python/tests
exec "../../../$py" -m pytest -p no:cacheprovider -q -rs "$@"
