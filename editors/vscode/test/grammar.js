// Grammar tests: (1) the assertions in test/*.chiso.test (vscode-tmgrammar-test), and
// (2) a snapshot of the scopes of every shipped rule file (vscode-tmgrammar-snap). The
// rule files are copied next to their snapshots in a temporary folder, so the snapshots
// live in test/snapshots/ and the rules/ folder stays untouched.
// `node test/grammar.js --update` rewrites the snapshots after an intended change.
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const here = path.join(__dirname, "..");
const root = path.join(here, "..", "..");
const bin = (name) => path.join(here, "node_modules", ".bin", name);
const update = process.argv.includes("--update");

function ruleFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return ruleFiles(p);
    return e.name.endsWith(".chiso") ? [p] : [];
  });
}

function run(name, args) {
  try {
    execFileSync(bin(name), args, { cwd: here, stdio: "inherit" });
  } catch {
    console.error(`${name} failed${update ? "" : " (after an intended change: node test/grammar.js --update)"}`);
    process.exit(1);
  }
}

run("vscode-tmgrammar-test", ["-c", "test/*.chiso.test"]);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "chiso-grammar-"));
const snapshots = path.join(here, "test", "snapshots");
fs.mkdirSync(snapshots, { recursive: true });
const names = [];
for (const file of ruleFiles(path.join(root, "rules")).sort()) {
  const name = path.relative(path.join(root, "rules"), file).split(path.sep).join("--");
  names.push(name);
  fs.copyFileSync(file, path.join(work, name));
  const snap = path.join(snapshots, name + ".snap");
  if (fs.existsSync(snap)) fs.copyFileSync(snap, path.join(work, name + ".snap"));
}
run("vscode-tmgrammar-snap", ["-s", "source.chiso", ...(update ? ["--updateSnapshot"] : []), ...names.map((n) => path.join(work, n))]);
if (update) {
  for (const n of names) fs.copyFileSync(path.join(work, n + ".snap"), path.join(snapshots, n + ".snap"));
}
console.log(`${names.length} shipped rule files highlighted as in their snapshots`);
