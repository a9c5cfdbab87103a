#!/usr/bin/env bash
# Builds the playground into playground/dist/: the wasm crate (release, wasm32-unknown-unknown),
# its JavaScript glue (wasm-bindgen, the version pinned in wasm/Cargo.lock), the shipped
# rule sets and sample data as one JSON, and the page bundled with esbuild (CodeMirror from
# npm; nothing is loaded from elsewhere at run time). Serve dist/ with any static file
# server, e.g. `python3 -m http.server -d playground/dist 8000`.
set -euo pipefail
cd "$(dirname "$0")"

[ -d node_modules ] || npm ci --no-audit --no-fund

(cd ../wasm && cargo build --target wasm32-unknown-unknown --release --locked)
wasm=../wasm/target/wasm32-unknown-unknown/release/chiso_wasm.wasm

rm -rf gen dist
mkdir -p gen dist
wasm-bindgen --target web --no-typescript --out-dir gen/pkg "$wasm"
node scripts/examples.mjs > gen/examples.json
npx --no-install esbuild src/main.js --bundle --format=esm --minify --target=es2022 \
  --log-level=warning --outfile=dist/main.js
cp src/index.html src/style.css dist/
cp gen/pkg/chiso_wasm_bg.wasm dist/

raw=$(stat -c %s dist/chiso_wasm_bg.wasm)
gz=$(gzip -9 -c dist/chiso_wasm_bg.wasm | wc -c)
echo "playground built in playground/dist: chiso_wasm_bg.wasm ${raw} bytes (${gz} gzipped), main.js $(stat -c %s dist/main.js) bytes"
