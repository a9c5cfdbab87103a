#!/usr/bin/env bash
# CI for the WebAssembly build and the playground, on a fresh machine: installs what it
# needs (the wasm32 target, wasm-bindgen-cli at the version wasm/Cargo.lock pins, Node and
# npm, Debian's chromium, the npm packages), builds playground/dist (playground/build.sh),
# runs the wasm crate's own tests, then the browser test (playground/test/browser.mjs).
# The Rust core's tests do not depend on any of this.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

rustup target add wasm32-unknown-unknown

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate the module uses.
pinned=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' wasm/Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$pinned" ]; then
  echo "installing wasm-bindgen-cli $pinned"
  # --locked can name a dependency version the registry no longer serves; then resolve anew.
  cargo install wasm-bindgen-cli --version "$pinned" --locked \
    || cargo install wasm-bindgen-cli --version "$pinned"
fi

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
# The browser, and a monospace font with Vietnamese letters for the screenshots.
[ -x /usr/bin/chromium ] || apt_install chromium
fc-list 2>/dev/null | grep -q "Noto Sans Mono" || apt_install fonts-noto-mono || true

(cd playground && npm ci --no-audit --no-fund)

(cd wasm && cargo fmt -- --check && cargo clippy --all-targets --locked -- -D warnings && cargo test --locked)

playground/build.sh

(cd playground && node test/browser.mjs)
