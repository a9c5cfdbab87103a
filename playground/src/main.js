// The playground: a rule file and a data file in two editors, the report beside them,
// re-run (debounced) after every edit by chiso compiled to WebAssembly. Everything chiso
// does happens in the wasm module (`wasm/`): this file only moves texts in and renders the
// diagnostics and report JSON that come out.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { setDiagnostics, lintGutter } from '@codemirror/lint';
import { chisoLanguage, chisoHighlight } from './chiso-language.js';
import init, { run, format } from '../gen/pkg/chiso_wasm.js';
import bundle from '../gen/examples.json';

const DEBOUNCE_MS = 150;
const $ = (id) => document.getElementById(id);

// Every rule file and hook script of `rules/`, by path, edited in place: `extends` and
// `hooks` find the edited texts.
const files = { ...bundle.files };
let filesJson = null;
// Data texts by name, edited in place.
const data = Object.fromEntries(bundle.examples.flatMap((e) => e.data.map((d) => [d.name, d.text])));

let example = bundle.examples[0];
let currentFile = example.files[0];
let dataName = example.data[0]?.name ?? 'data.json';
let lastDiagnostics = [];

const playground = {
  runs: 0,
  timing: null,
  rulesView: null,
  dataView: null,
};
window.playground = playground;

// ---- editors ------------------------------------------------------------------------

function editorState(text, language, onChange) {
  return EditorState.create({
    doc: text,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      lintGutter(),
      ...language,
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
}

function rulesState() {
  const language = currentFile.endsWith('.chiso') ? [chisoLanguage, chisoHighlight] : [];
  return editorState(files[currentFile] ?? '', language, (text) => {
    files[currentFile] = text;
    filesJson = null;
    schedule();
  });
}

function dataState() {
  return editorState(data[dataName] ?? '', [], (text) => {
    data[dataName] = text;
    schedule();
  });
}

// ---- running ------------------------------------------------------------------------

let timer = null;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(rerun, DEBOUNCE_MS);
}

/** Runs the example's rule set on the data and renders the outcome; returns the timing. */
function rerun() {
  clearTimeout(timer);
  const t0 = performance.now();
  filesJson ??= JSON.stringify(files);
  const out = JSON.parse(run(filesJson, example.rules, dataName, data[dataName] ?? ''));
  const t1 = performance.now();
  const report = out.report === null ? null : JSON.parse(out.report);
  render(out.diagnostics, report, out.report);
  const t2 = performance.now();
  playground.timing = { wasm: t1 - t0, render: t2 - t1, total: t2 - t0 };
  playground.runs += 1;
  document.body.dataset.runs = String(playground.runs);
  showStatus(out.diagnostics, report);
  return playground.timing;
}
playground.rerun = rerun;

function showStatus(diagnostics, report) {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const ms = playground.timing.total.toFixed(1);
  const status = $('status');
  status.classList.toggle('bad', errors > 0);
  if (report) {
    const s = report.summary;
    const findings = s.rules
      ? `${s.passed} passed, ${s.failed} failed, ${s.errors} could not be decided`
      : 'no rules';
    status.textContent = `${s.units} units · ${findings} · ran in ${ms} ms`;
  } else {
    status.textContent = `${errors} ${errors === 1 ? 'error' : 'errors'}: no report · ran in ${ms} ms`;
  }
}

// ---- rendering ----------------------------------------------------------------------

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** A value for a person: numbers to at most 4 decimals (the JSON tab has every digit). */
function show(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
}

/** `rules/x/2019/../2018/a.chiso` → `rules/x/2018/a.chiso`, as the bundle names files. */
function normalise(path) {
  const out = [];
  for (const part of path.split('/')) {
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return (path.startsWith('/') ? '/' : '') + out.join('/');
}

// The last outcome; only the visible tab is rendered from it (the others when shown).
let last = { report: null, reportText: null, rendered: {} };

function render(diagnostics, report, reportText) {
  lastDiagnostics = diagnostics.map((d) => ({ ...d, path: normalise(d.file) }));
  markEditors();
  last = { report, reportText, rendered: {} };
  if (!report) {
    $('summary').textContent = 'The rule set or the data is unusable: see Problems.';
    if (diagnostics.some((d) => d.severity === 'error')) currentTab = 'problems';
  } else {
    const m = report.methodology;
    const s = report.summary;
    $('summary').textContent =
      `${m.name} ${m.version}${m.extends ? ` (extends ${m.extends})` : ''} — ${s.units} units, ` +
      `${s.rules} rules: ${s.passed} passed, ${s.failed} failed, ${s.errors} could not be decided`;
    if (currentTab === 'problems' && !diagnostics.some((d) => d.severity === 'error')) currentTab = 'findings';
    if (currentTab === 'findings' && !report.findings.length) currentTab = 'values';
  }
  $('problem-count').textContent = lastDiagnostics.length ? String(lastDiagnostics.length) : '';
  selectTab(currentTab);
}

/** Renders tab `name` from the last outcome, once. */
function renderTab(name) {
  if (last.rendered[name]) return;
  last.rendered[name] = true;
  const report = last.report;
  if (name === 'problems') renderProblems();
  else if (name === 'json') $('json').textContent = last.reportText ?? '';
  else if (!report) $(name).innerHTML = '';
  else if (name === 'findings') renderFindings(report.findings);
  else if (name === 'values') renderValues(report.units);
}

function renderFindings(findings) {
  if (!findings.length) {
    $('findings').innerHTML = '<p class="empty">This rule set has no rules: see Values.</p>';
    return;
  }
  const rows = findings.map((f) => {
    const evidence = Object.entries(f.evidence ?? {}).map(([k, v]) => `${escape(k)} = ${escape(show(v))}`).join(', ');
    return `<tr class="finding-${escape(f.status)}"><td>${escape(f.rule)}</td><td>${escape(f.unit)}</td>` +
      `<td class="status status-${escape(f.status)}">${escape(f.status)}</td><td>${escape(f.severity)}</td>` +
      `<td>${escape(f.message ?? '')}<div class="evidence">${evidence}</div></td></tr>`;
  });
  $('findings').innerHTML =
    `<table><thead><tr><th>rule</th><th>unit</th><th>status</th><th>severity</th><th>message and evidence</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderValues(units) {
  const columns = [];
  const seen = new Set();
  const add = (c) => { if (!seen.has(c)) { seen.add(c); columns.push(c); } };
  for (const u of units) {
    for (const k of Object.keys(u.ranks ?? {})) add(`rank ${k}`);
  }
  for (const u of units) for (const k of Object.keys(u.values ?? {})) add(k);
  if (!units.length || !columns.length) {
    $('values').innerHTML = '<p class="empty">No computed values.</p>';
    return;
  }
  const text = (u, c) => {
    if (!c.startsWith('rank ') && u.errors?.[c]) return ['error', 'status-error', show(u.errors[c])];
    return [show(c.startsWith('rank ') ? u.ranks?.[c.slice(5)] : u.values?.[c]), 'num', ''];
  };
  // After an edit most values are unchanged: with the same units and columns, only the
  // cells whose text changed are touched (a new table of 63 × 53 cells costs more than
  // the evaluation).
  const shape = JSON.stringify([units.map((u) => u.unit), columns]);
  const table = $('values').querySelector('table');
  if (table && table.dataset.shape === shape) {
    const rows = table.tBodies[0].rows;
    units.forEach((u, i) => {
      columns.forEach((c, j) => {
        const td = rows[i].cells[j + 1];
        const [t, cls, title] = text(u, c);
        if (td.textContent !== t) td.textContent = t;
        if (td.className !== cls) td.className = cls;
        if (td.title !== title) td.title = title;
      });
    });
    return;
  }
  const cell = (u, c) => {
    const [t, cls, title] = text(u, c);
    return `<td class="${cls}" title="${escape(title)}">${escape(t)}</td>`;
  };
  const rows = units.map((u) => `<tr><th scope="row">${escape(u.unit)}</th>${columns.map((c) => cell(u, c)).join('')}</tr>`);
  $('values').innerHTML =
    `<table data-shape="${escape(shape)}"><thead><tr><th>unit</th>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderProblems() {
  if (!lastDiagnostics.length) {
    $('problems').innerHTML = '<p class="empty">No problems.</p>';
    return;
  }
  $('problems').innerHTML = lastDiagnostics
    .map((d, i) => {
      const where = d.line ? `${d.file}:${d.line}:${d.column ?? 1}` : d.file;
      return `<div class="problem" data-index="${i}"><span class="sev-${escape(d.severity)}">${escape(d.severity)}</span> ` +
        `<span class="where">${escape(where)}</span> ${escape(d.message)}<pre>${escape(d.rendered)}</pre></div>`;
    })
    .join('');
}

/** A 1-based line and column in characters → a CodeMirror position (UTF-16). */
function position(doc, line, column) {
  if (!line) return 0;
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const chars = [...l.text].slice(0, Math.max((column ?? 1) - 1, 0)).join('');
  return l.from + Math.min(chars.length, l.length);
}

function marks(view, path) {
  const doc = view.state.doc;
  return lastDiagnostics
    .filter((d) => d.path === path)
    .map((d) => {
      const from = position(doc, d.line, d.column);
      let to = d.end_line ? position(doc, d.end_line, d.end_column) : from;
      if (to <= from) to = Math.min(from + 1, doc.length);
      return { from: Math.min(from, to), to, severity: d.severity, message: d.message };
    });
}

function markEditors() {
  playground.rulesView.dispatch(setDiagnostics(playground.rulesView.state, marks(playground.rulesView, currentFile)));
  playground.dataView.dispatch(setDiagnostics(playground.dataView.state, marks(playground.dataView, dataName)));
}

// ---- choosing ------------------------------------------------------------------------

let currentTab = 'findings';
function selectTab(name) {
  currentTab = name;
  for (const b of document.querySelectorAll('#tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const t of document.querySelectorAll('.tab')) t.hidden = t.id !== name;
  renderTab(name);
}

function options(select, items, selected) {
  select.innerHTML = items.map(([value, label]) => `<option value="${escape(value)}">${escape(label)}</option>`).join('');
  select.value = selected;
}

function openFile(path) {
  currentFile = path;
  $('file').value = path;
  $('rules-title').textContent = path;
  playground.rulesView.setState(rulesState());
  markEditors();
}

function openData(name) {
  dataName = name;
  $('data-file').value = name;
  $('data-title').textContent = `${name} (JSON or CSV)`;
  playground.dataView.setState(dataState());
  markEditors();
}

function openExample(id) {
  example = bundle.examples.find((e) => e.id === id) ?? bundle.examples[0];
  $('example').value = example.id;
  options($('file'), example.files.map((f) => [f, f.replace(example.rules + '/', '')]), example.files[0]);
  const datasets = example.data.length ? example.data : [{ name: 'data.json', text: '[]' }];
  for (const d of datasets) data[d.name] ??= d.text;
  options($('data-file'), datasets.map((d) => [d.name, d.name]), datasets[0].name);
  if (location.hash.slice(1) !== example.id) history.replaceState(null, '', `#${example.id}`);
  openFile(example.files[0]);
  openData(datasets[0].name);
  rerun();
}

function jumpTo(d) {
  if (d.path && d.path !== currentFile && files[d.path] !== undefined) openFile(d.path);
  const view = d.path === dataName ? playground.dataView : playground.rulesView;
  const pos = position(view.state.doc, d.line, d.column);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

async function main() {
  await init({ module_or_path: new URL('chiso_wasm_bg.wasm', import.meta.url) });
  playground.rulesView = new EditorView({ parent: $('rules-editor') });
  playground.dataView = new EditorView({ parent: $('data-editor') });
  options($('example'), bundle.examples.map((e) => [e.id, `${e.id} — ${e.name}`]), example.id);
  $('example').addEventListener('change', (e) => openExample(e.target.value));
  $('file').addEventListener('change', (e) => openFile(e.target.value));
  $('data-file').addEventListener('change', (e) => {
    openData(e.target.value);
    rerun();
  });
  $('format').addEventListener('click', () => {
    const out = JSON.parse(format(currentFile, files[currentFile] ?? ''));
    if (out.text !== undefined && out.text !== files[currentFile]) {
      const view = playground.rulesView;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: out.text } });
    }
  });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  $('problems').addEventListener('click', (e) => {
    const item = e.target.closest('.problem');
    if (item) jumpTo(lastDiagnostics[Number(item.dataset.index)]);
  });
  openExample(location.hash.slice(1));
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  $('status').textContent = `the playground could not start: ${e}`;
  $('status').classList.add('bad');
  console.error(e);
});
