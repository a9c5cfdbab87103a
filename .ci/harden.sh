#!/usr/bin/env bash
# Hardening checks beyond `cargo test` (issue 16): the supply-chain check (cargo deny),
# the hostile-input corpus timed in a release build, and — where a nightly toolchain and
# cargo-fuzz are installed — the fuzz targets built and run once over their saved inputs.
# The corpus, the replay of the fuzz inputs and the determinism tests also run in the
# plain `cargo test --all-features` of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Supply chain: licences, bans (duplicate versions warn), sources, advisories.
if ! cargo deny --version >/dev/null 2>&1; then
  echo "installing cargo-deny from crates.io"
  cargo install cargo-deny --locked
fi
cargo deny check licenses bans sources
# The advisory database is fetched from GitHub; without network access that fetch fails,
# and the run says so instead of passing silently.
if ! cargo deny check advisories; then
  echo "cargo deny check advisories could not run (is github.com reachable for the RustSec database?)" >&2
  if [ "${CHISO_REQUIRE_ADVISORIES:-0}" = 1 ]; then exit 1; fi
fi

# The hostile corpus in a release build (the debug build runs it in cargo test); both
# must stay under two minutes.
start=$(date +%s)
cargo test --release --all-features --test hostile --test determinism --test fuzz_replay
echo "hostile corpus, determinism and fuzz replay (release): $(( $(date +%s) - start )) s"

# Fuzz targets: built with nightly, each run once over its seeds and regressions.
if cargo +nightly --version >/dev/null 2>&1 && cargo fuzz --version >/dev/null 2>&1; then
  (cd fuzz && cargo +nightly fuzz build -s none)
  shopt -s nullglob
  for target in rule_text data format hook differential; do
    seeds=$target
    [ "$target" = format ] && seeds=rule_text
    # Files (not folders) as arguments: each is run once, nothing is written back.
    log=$("fuzz/target/x86_64-unknown-linux-gnu/release/$target" \
      fuzz/seeds/"$seeds"/* fuzz/regressions/"$target"/* 2>&1)
    echo "fuzz target $target: $(grep -c '^Executed' <<<"$log") saved inputs replayed"
  done
else
  echo "nightly or cargo-fuzz not installed: fuzz targets not built (cargo install cargo-fuzz)"
fi
