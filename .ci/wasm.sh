#!/usr/bin/env bash
# CI for the WebAssembly build and the playground, on a fresh machine: installs what it
# needs (the wasm32 target, wasm-bindgen-cli at the version wasm/Cargo.lock pins, Node and
# npm, Debian's chromium, the npm packages), runs the wasm crate's own checks and tests,
# builds playground/dist (playground/build.sh), then the browser test
# (playground/test/browser.mjs; screenshots in target/playground*.png).
# The Rust core's tests do not depend on any of this.
#
#   bash .ci/wasm.sh                 (from anywhere, as root on a fresh machine)
#
# Skip it locally with CHISO_SKIP_WASM=1; CI (CI=true) always runs it.
#
# wasm-bindgen-cli: no registry this project reaches ships a prebuilt binary of it (not
# Debian, npm or PyPI; `cargo binstall` and the project's release binaries come from a
# host CI cannot reach), so a machine without the pinned version builds it from crates.io
# with `cargo install`, once: about 5 minutes on 2 cores, only the `wasm-bindgen` binary
# (the test runner and wasm2es6js are not used here).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${CHISO_SKIP_WASM:-0}" = 1 ]; then
  if [ "${CI:-}" = true ]; then
    echo "wasm: CHISO_SKIP_WASM is ignored in CI"
  else
    echo "wasm: skipped (CHISO_SKIP_WASM=1)"
    exit 0
  fi
fi

started=$(date +%s)
stamp() { echo "wasm: $1 after $(($(date +%s) - started)) s"; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# What `cargo install` puts in place is found on the next line, whatever PATH CI has.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate the module uses.
pinned=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' wasm/Cargo.lock)
if [ -z "$pinned" ]; then
  echo "wasm: no wasm-bindgen version in wasm/Cargo.lock"
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$pinned" ]; then
  echo "wasm: installing wasm-bindgen-cli $pinned (found: ${have:-none}); this builds it from crates.io"
  # --locked can name a dependency version the registry does not serve (here: webpki-roots
  # 1.0.11, which ureq's lock names); then resolve anew.
  cargo install wasm-bindgen-cli --version "$pinned" --locked --bin wasm-bindgen --quiet \
    || { echo "wasm: the locked install failed (above); installing with dependencies resolved anew"
         cargo install wasm-bindgen-cli --version "$pinned" --bin wasm-bindgen --quiet; }
  have=$(wasm-bindgen --version | awk '{ print $2 }')
  if [ "$have" != "$pinned" ]; then
    echo "wasm: wasm-bindgen on the PATH is $have, not $pinned ($(command -v wasm-bindgen))"
    exit 1
  fi
  stamp "wasm-bindgen-cli $pinned installed"
fi

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
# The browser (CHROMIUM=/path overrides it), and a monospace font with Vietnamese letters
# for the screenshots.
if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "wasm: installing Debian's chromium"
  apt_install chromium
fi
fc-list 2>/dev/null | grep -q "Noto Sans Mono" || apt_install fonts-noto-mono || true

(cd playground && npm ci --no-audit --no-fund --loglevel=error)
stamp "tools ready"

# wasm/Cargo.lock also pins the library's dependencies: when one was added to the library
# and the lock was not updated, the --locked builds below would refuse. Update it here, and
# say so (commit the update: `cd wasm && cargo metadata --format-version 1 >/dev/null`).
if ! (cd wasm && cargo metadata --locked --format-version 1 >/dev/null 2>&1); then
  echo "wasm: wasm/Cargo.lock is behind the library's dependencies; updating it for this run:"
  (cd wasm && cargo metadata --format-version 1 >/dev/null)
  git --no-pager diff --stat -- wasm/Cargo.lock || true
fi

(cd wasm && cargo fmt -- --check && cargo clippy --all-targets --locked --quiet -- -D warnings \
  && cargo test --locked --quiet)
stamp "wasm crate checked and tested"

playground/build.sh
stamp "playground built"

rm -f target/playground*.png
(cd playground && node test/browser.mjs)
[ -s target/playground.png ] || { echo "wasm: the browser test left no target/playground.png"; exit 1; }
stamp "browser test passed"
