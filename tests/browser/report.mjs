// Opens the HTML report of every shipped rule set in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) and checks that it works: no console
// error, no network request, the ranking table sorts, the charts are drawn, the rank
// interval plot is there for a sensitivity run, the findings filter filters, and a unit
// name holding `<script>` stays text. Screenshots go to target/browser/.
//
//   node tests/browser/report.mjs            (from the repository root; .ci/browser.sh)
//   CHISO=target/debug/chiso node …           another binary
//   node tests/browser/report.mjs --docs      also refresh docs/html-report.png
//
// Exits 1 when a check fails, naming the report and the check.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(new URL('../..', import.meta.url).pathname);
const chiso = resolve(root, process.env.CHISO || 'target/release/chiso');
const out = join(root, 'target', 'browser');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
const refreshDocs = process.argv.includes('--docs');
mkdirSync(out, { recursive: true });

// A rule set and data whose unit names, labels and messages try to inject markup.
const hostile = join(out, 'hostile');
mkdirSync(hostile, { recursive: true });
writeFileSync(join(hostile, 'hostile.chiso'), `methodology "<script>window.__pwned = 1</script>" version 1
input x: number "<img src=x onerror=\\"window.__pwned = 2\\">" / "x"
score s "<b>s</b>" = mean of x
rank s
rule r "<script>window.__pwned = 3</script>" require x > 1
  message "{unit} </td></tr><script>window.__pwned = 4</script>"
  cite "<a href=javascript:alert(1)>cite</a>"
`);
writeFileSync(join(hostile, 'data.json'), JSON.stringify([
  { unit: '<script>window.__pwned = 5</script>', x: 1 },
  { unit: 'Đà Nẵng "quoted" & <em>', x: 2 },
]));

const cases = [
  { name: 'ict-index-2019', rules: 'rules/ict-index/2019', data: 'examples/ict-index/provinces-2019.json',
    extra: ['--previous', 'examples/ict-index/provinces-2018.json', '--sensitivity', '200', '--seed', '1'],
    expect: { ranking: true, chart: true, heat: true, intervals: true, units: 63 } },
  { name: 'ict-index-2018', rules: 'rules/ict-index/2018', data: 'examples/ict-index/provinces-2018.json',
    expect: { ranking: true, chart: true, heat: true } },
  { name: 'ict-index-published-2019', rules: 'rules/ict-index-published/2019',
    data: '../shared/data/ict-index-2019-quang-ninh-reported.json', expect: {} },
  { name: 'it-staffing', rules: 'rules/it-staffing', data: 'examples/it-staffing/quang-ninh-2020.json',
    expect: { fail: true } },
  { name: 'online-services-2019', rules: 'rules/online-services/2019',
    data: 'examples/online-services/provinces-2019.json', expect: { ranking: true } },
  { name: 'decree-43-2011', rules: 'rules/decree-43-2011', data: 'examples/decree-43-2011/portals-2020.json',
    expect: { fail: true } },
  { name: 'quang-ninh-2020-plan', rules: 'rules/quang-ninh-2020-plan',
    data: 'examples/quang-ninh-2020-plan/quang-ninh.json', expect: { fail: true } },
  { name: 'quang-binh-2025-plan', rules: 'rules/quang-binh-2025-plan',
    data: 'examples/quang-binh-2025-plan/quang-binh.json', expect: {} },
  { name: 'mic-it-application-2017', rules: 'rules/mic-it-application/2017',
    data: 'examples/mic-it-application/agencies-2017-synthetic.json', expect: { ranking: true } },
  { name: 'published-audit', rules: 'rules/published-audit',
    data: 'examples/published-audit/quang-ninh-2019.json', expect: {} },
  { name: 'published-audit-truncated', rules: 'rules/published-audit/truncated',
    data: 'examples/published-audit/mic-2017-provinces.json', expect: {} },
  { name: 'hostile', rules: join(hostile, 'hostile.chiso'), data: join(hostile, 'data.json'),
    expect: { ranking: true, fail: true, hostile: true } },
];

const failures = [];
function check(name, condition, what) {
  if (!condition) {
    failures.push(`${name}: ${what}`);
    console.log(`  FAIL ${what}`);
  }
}

function render(c) {
  const file = join(out, `${c.name}.html`);
  const args = ['run', '--rules', c.rules, '--data', c.data, ...(c.extra || []), '--out', file, '--quiet'];
  try {
    execFileSync(chiso, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Exit 1 means a finding failed: the report is still written.
    if (e.status !== 1) { throw new Error(`chiso ${args.join(' ')} exited ${e.status}: ${e.stderr}`); }
  }
  if (!existsSync(file)) { throw new Error(`chiso wrote no ${file}`); }
  return file;
}

async function visibleRows(page) {
  return page.$$eval('#findings tbody tr', rows => rows
    .filter(r => !r.hidden && r.closest('section.rule') && !r.closest('section.rule').hidden)
    .map(r => r.getAttribute('data-status')));
}

async function checkFindings(page, c) {
  const total = await page.$$eval('#findings tbody tr', rows => rows.length);
  check(c.name, total > 0, 'the findings table has rows');
  const failCount = Number(await page.$eval('#findings [data-filter="fail"] .count', e => e.textContent));
  await page.click('#findings [data-filter="fail"]');
  const shown = await visibleRows(page);
  check(c.name, shown.every(s => s === 'fail'), 'filter to fail shows only failed findings');
  check(c.name, shown.length === failCount, `filter to fail shows ${failCount} findings (shows ${shown.length})`);
  if (c.expect.fail) { check(c.name, failCount > 0, 'some findings fail'); }
  const pressed = await page.$eval('#findings [data-filter="fail"]', b => b.getAttribute('aria-pressed'));
  check(c.name, pressed === 'true', 'the fail button is pressed');
  await page.click('#findings [data-filter="all"]');
  check(c.name, (await visibleRows(page)).length === total, 'filter to all shows every finding again');
}

async function checkRanking(page, c) {
  check(c.name, await page.$('#ranking-table') !== null, 'the ranking table is there');
  const units = await page.$$eval('#ranking-table tbody tr', rows => rows.length);
  check(c.name, units > 1, 'the ranking table has a row per unit');
  if (c.expect.units) { check(c.name, units === c.expect.units, `the ranking has ${c.expect.units} units (${units})`); }
  // Sort by unit name (text), then by the ranked value (numbers, highest first).
  await page.click('#ranking-table thead th:nth-child(2)');
  const names = await page.$$eval('#ranking-table tbody tr td:nth-child(2)', tds => tds.map(td => td.getAttribute('data-sort')));
  const sorted = [...names].sort((a, b) => a.localeCompare(b, 'vi'));
  check(c.name, JSON.stringify(names) === JSON.stringify(sorted), 'sorting by unit orders the names');
  await page.click('#ranking-table thead th:nth-child(3)');
  const values = await page.$$eval('#ranking-table tbody tr td:nth-child(3)', tds => tds.map(td => td.getAttribute('data-sort')));
  const numbers = values.filter(v => v !== '').map(Number);
  check(c.name, numbers.every((v, i) => i === 0 || numbers[i - 1] >= v), 'sorting by the value orders it highest first');
  check(c.name, values.slice(0, numbers.length).every(v => v !== ''), 'missing values sort last');
  const state = await page.$eval('#ranking-table thead th:nth-child(3)', th => th.getAttribute('aria-sort'));
  check(c.name, state === 'descending', 'the sorted column says so (aria-sort)');
  await page.click('#ranking-table thead th:nth-child(1)');
  const ranks = await page.$$eval('#ranking-table tbody tr td:nth-child(1)', tds => tds.map(td => td.getAttribute('data-sort')).filter(v => v !== '').map(Number));
  check(c.name, ranks.every((v, i) => i === 0 || ranks[i - 1] <= v), 'sorting by rank orders it from 1');
  if (c.expect.chart) {
    const marks = await page.$$eval('#index-chart svg.dots rect.bar, #index-chart svg.dots circle.dot', m => m.length);
    check(c.name, marks >= units * 2, `the dot chart draws the index and its pillars (${marks} marks)`);
    const box = await page.$eval('#index-chart svg.dots', s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; });
    check(c.name, box[0] > 300 && box[1] > 300, 'the dot chart has a size');
  }
  if (c.expect.heat) {
    const cells = await page.$$eval('#heat-map td[style]', tds => tds.length);
    check(c.name, cells >= units * 3, `the heat map has shaded cells (${cells})`);
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const started = Date.now();
  try {
    for (const c of cases) {
      const t0 = Date.now();
      console.log(`${c.name}`);
      const file = render(c);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors = [];
      const requests = [];
      page.on('console', m => { if (m.type() === 'error') { errors.push(m.text()); } });
      page.on('pageerror', e => errors.push(String(e)));
      page.on('request', r => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) { requests.push(r.url()); } });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      check(c.name, await page.$('#summary') !== null, 'the summary is there');
      const title = await page.title();
      check(c.name, title.length > 0, 'the page has a title');
      if (await page.$('#findings')) { await checkFindings(page, c); }
      if (c.expect.ranking) { await checkRanking(page, c); }
      if (c.expect.intervals) {
        const intervals = await page.$$eval('#interval-plot g.interval', g => g.length);
        check(c.name, intervals === (c.expect.units || intervals) && intervals > 0, `the interval plot has a row per unit (${intervals})`);
        const spans = await page.$$eval('#interval-plot line.span', l => l.length);
        check(c.name, spans === intervals, 'every unit has its 5–95% interval drawn');
      }
      // A unit's section opens and shows its explanation tree.
      if (await page.$('details.unit')) {
        await page.click('details.unit > summary');
        const open = await page.$eval('details.unit', d => d.open);
        check(c.name, open, 'a unit section opens');
      }
      if (c.expect.hostile) {
        const pwned = await page.evaluate(() => window.__pwned);
        check(c.name, pwned === undefined, `no injected script ran (window.__pwned = ${pwned})`);
        const text = await page.textContent('body');
        check(c.name, text.includes('<script>window.__pwned = 5</script>'), 'the hostile unit name is shown as text');
        check(c.name, (await page.$$('a[href^="javascript"]')).length === 0, 'no link was injected');
      }
      await page.screenshot({ path: join(out, `${c.name}.png`) });
      if (c.name === 'ict-index-2019') {
        await page.evaluate(() => document.getElementById('charts').scrollIntoView());
        await page.screenshot({ path: join(out, `${c.name}-charts.png`) });
        await page.evaluate(() => document.getElementById('sensitivity').scrollIntoView());
        await page.screenshot({ path: join(out, `${c.name}-sensitivity.png`) });
        await page.evaluate(() => window.scrollTo(0, 0));
        // Printable: the PDF has every unit's section opened by the page's script.
        const pdf = await page.pdf({ path: join(out, `${c.name}.pdf`), format: 'A4', landscape: true });
        check(c.name, pdf.length > 100000, `the page prints to PDF (${pdf.length} bytes)`);
        const reclosed = await page.$$eval('details.unit[open]', d => d.length);
        check(c.name, reclosed <= 1, 'sections opened for printing close again');
        if (refreshDocs) {
          await page.setViewportSize({ width: 1280, height: 1500 });
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(root, 'docs', 'html-report.png') });
        }
      }
      check(c.name, errors.length === 0, `no console error (${errors.join(' | ')})`);
      check(c.name, requests.length === 0, `no network request (${requests.join(' ')})`);
      await context.close();
      console.log(`  ok in ${Date.now() - t0} ms`);
    }
  } finally {
    await browser.close();
  }
  console.log(`${cases.length} reports in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.log(`\n${failures.length} checks failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`${cases.length} passed, 0 failed`);
}

main().catch(e => { console.error(e); process.exit(1); });
