#!/usr/bin/env bash
# Hardening checks beyond `cargo test` (issue 16), run by .ci/run: the supply-chain check
# (cargo deny: licences, bans, sources, advisories) and — where a nightly toolchain and
# cargo-fuzz are installed — the fuzz targets built and run once over their saved inputs.
# The hostile corpus, the replay of the fuzz inputs on stable and the determinism tests
# run in the plain `cargo test --all-features` of .ci/run. CHISO_HARDEN_RELEASE=1 also
# times them in a release build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Supply chain: licences, bans (duplicate versions warn), sources, advisories.
if ! cargo deny --version >/dev/null 2>&1; then
  echo "installing cargo-deny from crates.io"
  # --locked can name a dependency version the registry no longer serves; then resolve anew.
  cargo install cargo-deny --locked || cargo install cargo-deny
fi
cargo deny check licenses bans sources
# The RustSec advisory database is fetched from GitHub, which this CI's network does not
# reach; the run says so instead of passing silently. CHISO_REQUIRE_ADVISORIES=1 makes it
# fatal (for a machine that can fetch it).
# CHISO_ADVISORY_DB=<a clone of github.com/rustsec/advisory-db> checks against that copy
# without the network (cargo-deny 0.20 keeps the database of that URL in a folder named
# by its hash, which the link stands for).
if [ -n "${CHISO_ADVISORY_DB:-}" ]; then
  dbs=$(mktemp -d)
  ln -s "$(cd "$CHISO_ADVISORY_DB" && pwd)" "$dbs/advisory-db-3157b0e258782691"
  sed "s|^\[advisories\]|[advisories]\ndb-path = \"$dbs\"\ndb-urls = [\"https://github.com/rustsec/advisory-db\"]|" deny.toml > "$dbs/deny.toml"
  cargo fetch --quiet
  echo "advisories from $CHISO_ADVISORY_DB ($(git -C "$CHISO_ADVISORY_DB" log -1 --format='%h of %cs'))"
  cargo deny --offline --config "$dbs/deny.toml" check advisories
elif ! timeout 120 cargo deny check advisories; then
  echo "WARNING: cargo deny check advisories could not run (the RustSec database is fetched from github.com)" >&2
  if [ "${CHISO_REQUIRE_ADVISORIES:-0}" = 1 ]; then exit 1; fi
fi

if [ "${CHISO_HARDEN_RELEASE:-0}" = 1 ]; then
  start=$(date +%s)
  cargo test --release --all-features --test hostile --test determinism --test fuzz_replay
  echo "hostile corpus, determinism and fuzz replay (release): $(( $(date +%s) - start )) s"
fi

# Fuzz targets: built with nightly, each run once over its seeds, grown corpus and
# regressions.
if cargo +nightly --version >/dev/null 2>&1 && cargo fuzz --version >/dev/null 2>&1; then
  (cd fuzz && cargo +nightly fuzz build -s none)
  shopt -s nullglob
  for target in rule_text data format hook differential; do
    seeds=$target
    [ "$target" = format ] && seeds=rule_text
    # Files (not folders) as arguments: each is run once, nothing is written back.
    log=$("fuzz/target/x86_64-unknown-linux-gnu/release/$target" \
      fuzz/seeds/"$seeds"/* fuzz/grown/"$target"/* fuzz/regressions/"$target"/* 2>&1)
    echo "fuzz target $target: $(grep -c '^Executed' <<<"$log") saved inputs replayed"
  done
else
  echo "nightly or cargo-fuzz not installed: fuzz targets not built here (their saved inputs are replayed on stable by tests/fuzz_replay.rs)"
fi
