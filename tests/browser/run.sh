#!/usr/bin/env bash
# The browser test of the HTML report: installs what it needs when missing (Debian's chromium,
# playwright-core from package-lock.json), then runs report.test.mjs with the arguments given:
#   tests/browser/run.sh REPORT.html SCREENSHOT.png [--pair ID_A ID_B] [--contains TEXT] [--query TEXT]
# A missing tool that cannot be installed fails the run: the test is never skipped.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() {
  echo "tests/browser/run.sh: error: $*" >&2
  exit 1
}

if [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || die "/usr/bin/chromium is missing and there is no apt-get to install it"
  [ "$(id -u)" = 0 ] || die "/usr/bin/chromium is missing; installing it needs root (apt-get install chromium)"
  echo "run.sh: installing chromium (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || die "apt-get update failed"
  apt-get install -y chromium >&2 || die "apt-get install chromium failed"
  [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is not there"
fi

command -v node >/dev/null || die "node is not installed"
if [ ! -d "$here/node_modules/playwright-core" ]; then
  command -v npm >/dev/null || die "npm is not installed, so playwright-core cannot be"
  echo "run.sh: installing playwright-core (npm ci)" >&2
  (cd "$here" && npm ci --no-audit --no-fund >&2) || die "npm ci failed in $here"
  [ -d "$here/node_modules/playwright-core" ] || die "npm ci did not install playwright-core"
fi

exec node "$here/report.test.mjs" "$@"
