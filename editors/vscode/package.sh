#!/usr/bin/env bash
# Packages the extension into editors/vscode/chiso.vsix (npm packages only; install
# scripts are skipped: the optional native keychain module of vsce is not needed to
# package, and its installer would try to download a prebuilt binary).
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund --ignore-scripts
node test/grammar.js
npx vsce package --allow-missing-repository --out chiso.vsix
