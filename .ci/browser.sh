#!/usr/bin/env bash
# The HTML reports in a real browser: builds the release binary, renders the report of
# every shipped rule set (the ICT Index 2019 with --previous and --sensitivity), opens each
# in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) and checks
# that it works: no console error, no network request, sorting, charts, the rank-interval
# plot, the findings filter, escaped markup. Screenshots: target/browser/*.png.
#
#   bash .ci/browser.sh            (from anywhere; installs what it needs)
#   bash .ci/browser.sh --docs     also refresh docs/html-report.png
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "browser: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

cargo build --release --quiet --bin chiso

start=$(date +%s)
node tests/browser/report.mjs "$@"
echo "browser: test time $(( $(date +%s) - start )) s"
