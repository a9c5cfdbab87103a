// Browser test of the playground: serves playground/dist on localhost, drives Debian's
// headless Chromium with playwright-core, and fails on any console error or page error.
//
//   node test/browser.mjs            (after ./build.sh; CHROMIUM=/path overrides the browser)
//
// It picks the it-staffing example and sees the ATTT findings, puts a typo in the rule
// file and sees the diagnostic at its line (in the problems list and the editor gutter),
// feeds garbage rule text and garbage data (the page must survive: a panic in wasm would
// kill it), then picks the ICT Index 2019 example (`extends "../2018"`) and measures the
// re-run time over the 63 provinces. Screenshots go to ../target/playground*.png.
import { createServer } from 'node:http';
import { readFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, extname, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const shots = join(here, '..', '..', 'target');
const BUDGET_MS = 50;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static file server for dist/ on an ephemeral localhost port. */
function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let passed = 0;
let failed = 0;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
function check(what, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok    ${what} (${elapsed()})`);
  } else {
    failed += 1;
    console.log(`FAIL  ${what}${detail ? `: ${detail}` : ''}`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const profile = await mkdtemp(join(tmpdir(), 'chiso-playground-'));
  await mkdir(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1600, height: 900 },
  });
  const errors = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    // Nothing but the page's own origin is fetched (no CDN).
    page.on('request', (r) => { if (!r.url().startsWith(url)) errors.push(`request outside the page: ${r.url()}`); });

    const runs = () => page.evaluate(() => window.playground?.runs ?? 0);
    /** Waits until the page has re-run after `before` runs. */
    const rerunAfter = async (before) => {
      await page.waitForFunction((n) => window.playground.runs > n, before, { timeout: 10_000 });
    };
    /** Replaces `from` by `to` in the rule editor, as typing would (one transaction). */
    const edit = (view, from, to) =>
      page.evaluate(([v, a, b]) => {
        const ed = window.playground[v];
        const text = ed.state.doc.toString();
        const at = text.indexOf(a);
        if (at < 0) return -1;
        ed.dispatch({ changes: { from: at, to: at + a.length, insert: b } });
        return ed.state.doc.lineAt(at).number;
      }, [view, from, to]);

    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

    // 1. The it-staffing example: the ATTT findings.
    await page.selectOption('#example', 'it-staffing');
    await page.waitForSelector('#findings tr.finding-fail');
    const attt = await page.$$eval('#findings tbody tr', (rows) =>
      rows.map((r) => [...r.cells].map((c) => c.textContent)).filter((c) => c[0] === 'attt_staffing'));
    check('it-staffing: the ATTT rule has findings', attt.length === 10, `${attt.length} rows`);
    const yte = attt.find((c) => c[1] === 'Sở Y tế');
    check('it-staffing: Sở Y tế fails the ATTT rule', yte?.[2] === 'fail', JSON.stringify(yte));
    check('it-staffing: the finding shows its evidence', /it_qualified_staff = 3, infosec_staff = 0/.test(yte?.[4] ?? ''), yte?.[4]);
    await page.screenshot({ path: join(shots, 'playground.png') });

    // 2. A typo: the diagnostic at its line, in the problems list and the gutter.
    let before = await runs();
    const line = await edit('rulesView', 'require infosec_staff >= attt_minimum', 'require infosec_staf >= attt_minimum');
    check('typo: introduced', line > 0, `line ${line}`);
    await rerunAfter(before);
    const problem = await page.textContent('#problems .problem');
    check('typo: the diagnostic names the line', problem?.includes(`rules/it-staffing/it-staffing.chiso:${line}:`) && problem.includes('unknown name `infosec_staf`'), problem?.slice(0, 200));
    check('typo: the problems tab is shown', await page.isVisible('#problems .problem'));
    // Clicking the problem moves the editor to it; the gutter marks that line.
    await page.click('#problems .problem');
    await page.waitForSelector('#rules-editor .cm-lint-marker-error', { timeout: 5_000 }).catch(() => null);
    const gutterLine = await page.evaluate(() => {
      const marker = document.querySelector('#rules-editor .cm-lint-marker-error');
      if (!marker) return null;
      const view = window.playground.rulesView;
      const block = view.lineBlockAtHeight(marker.getBoundingClientRect().top + 2 - view.documentTop);
      return view.state.doc.lineAt(block.from).number;
    });
    check('typo: the editor gutter marks the same line', gutterLine === line, `gutter at ${gutterLine}, typo at ${line}`);
    check('typo: the status says there is no report', /error/.test(await page.textContent('#status')));
    await page.screenshot({ path: join(shots, 'playground-typo.png') });
    before = await runs();
    await edit('rulesView', 'require infosec_staf >= attt_minimum', 'require infosec_staff >= attt_minimum');
    await rerunAfter(before);
    check('typo fixed: the findings are back', (await page.$$('#findings tr.finding-fail')).length > 0);

    // Format: `chiso fmt` in the module puts a mangled layout back.
    const formatted = await page.evaluate(() => window.playground.rulesView.state.doc.toString());
    before = await runs();
    await edit('rulesView', '  severity error\n  when it_qualified_staff', '  severity     error   when it_qualified_staff');
    await rerunAfter(before);
    await page.click('#format');
    const reformatted = await page.evaluate(() => window.playground.rulesView.state.doc.toString());
    check('format: the canonical layout is back', reformatted === formatted,
      reformatted.split('\n').find((l, i) => l !== formatted.split('\n')[i]));

    // 3. Garbage never kills the page.
    const original = await page.evaluate(() => window.playground.rulesView.state.doc.toString());
    const garbage = ['\u0000\u0001methodology ((((', 'rule rule rule "" severity', '#'.repeat(5000), '"unterminated', ''];
    for (const text of garbage) {
      before = await runs();
      await page.evaluate((t) => {
        const v = window.playground.rulesView;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
      }, text);
      await rerunAfter(before);
    }
    check('garbage rule text: the page answers with diagnostics', (await page.$$('#problems .problem')).length > 0);
    before = await runs();
    await page.evaluate((t) => {
      const v = window.playground.rulesView;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
    }, original);
    await rerunAfter(before);
    for (const text of ['{]', '[1, "x", null]', 'unit,a\n"unterminated', '{"units": 5}', '[]', '\u0000']) {
      before = await runs();
      await page.evaluate((t) => {
        const v = window.playground.dataView;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } });
      }, text);
      await rerunAfter(before);
    }
    const dataProblem = await page.textContent('#problems .problem');
    check('garbage data: the page answers with a data diagnostic', dataProblem?.includes('quang-ninh-2020.json'), dataProblem?.slice(0, 200));
    check('garbage: the wasm module still runs', await page.evaluate(() => {
      try { window.playground.rerun(); return true; } catch { return false; }
    }));

    // 4. The ICT Index 2019 (extends "../2018"): 63 provinces, re-run time.
    await page.selectOption('#example', 'ict-index/2019');
    await page.waitForFunction(() => /63 units/.test(document.getElementById('status').textContent));
    const summary = await page.textContent('#summary');
    check('ICT Index 2019: 63 provinces, extends 2018', /extends Vietnam ICT Index — provinces 2018/.test(summary) && /63 units/.test(summary), summary);
    await page.click('#tabs button[data-tab="values"]');
    const rows = await page.$$eval('#values tbody tr', (r) => r.length);
    check('ICT Index 2019: a row of values per province', rows === 63, `${rows} rows`);
    // A rule edit recompiles the rule set (2019 + its 2018 base); a data edit only evaluates.
    const tables = [];
    const ruleRuns = [];
    const dataRuns = [];
    for (let i = 0; i < 25; i += 1) {
      before = await runs();
      await page.evaluate((n) => {
        const v = window.playground.rulesView;
        v.dispatch({ changes: { from: v.state.doc.length, insert: `\n# edit ${n}` } });
      }, i);
      await rerunAfter(before);
      ruleRuns.push(await page.evaluate(() => window.playground.timing));
      before = await runs();
      await page.evaluate((n) => {
        // A real change: An Giang's fixed phones move, and with them the normalised
        // values, sub-pillars, pillars, index and ranks of every province.
        const v = window.playground.dataView;
        const [from, to] = n % 2 ? ['"4.52"', '"9.52"'] : ['"9.52"', '"4.52"'];
        const at = v.state.doc.toString().indexOf(`"fixed_phones_per_100": ${from}`);
        const start = at + '"fixed_phones_per_100": '.length;
        if (at >= 0) v.dispatch({ changes: { from: start, to: start + from.length, insert: to } });
        window.playground.rerun();
      }, i + 1);
      dataRuns.push(await page.evaluate(() => window.playground.timing));
      if (i < 2) tables.push(await page.textContent('#values'));
    }
    check('ICT Index 2019: a data edit changes the values shown', tables[0] !== tables[1]);
    const rule = { wasm: median(ruleRuns.map((t) => t.wasm)), total: median(ruleRuns.map((t) => t.total)) };
    const data = { wasm: median(dataRuns.map((t) => t.wasm)), total: median(dataRuns.map((t) => t.total)) };
    console.log(`timing: ICT Index 2019, 63 provinces, median of 25: after a rule edit ${rule.total.toFixed(1)} ms ` +
      `(wasm ${rule.wasm.toFixed(1)} ms), after a data edit ${data.total.toFixed(1)} ms (wasm ${data.wasm.toFixed(1)} ms)`);
    check(`ICT Index 2019: re-run after a rule edit under ${BUDGET_MS} ms`, rule.total < BUDGET_MS, `${rule.total.toFixed(1)} ms`);
    check(`ICT Index 2019: re-run after a data edit under ${BUDGET_MS} ms`, data.total < BUDGET_MS, `${data.total.toFixed(1)} ms`);
    await page.screenshot({ path: join(shots, 'playground-ict-index.png') });

    check('no console errors, page errors or outside requests', errors.length === 0, errors.join('\n      '));
  } finally {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
    await rm(profile, { recursive: true, force: true });
  }
  console.log(`browser test: ${elapsed()}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
