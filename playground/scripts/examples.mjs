// Bundles the shipped rule sets and their sample data for the playground, at build time:
// prints JSON `{files, examples}` where `files` maps every rule file and hook script under
// `rules/` (by its path from the repository root, as `chiso check rules/…` names it) to its
// text, so that `extends "../2018"` and `hooks "x.rhai"` find theirs, and `examples` lists
// one entry per rule set: its folder, its own files, and its sample data files.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, dirname, basename, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Sample data where it is not `examples/<rule set's first folder>/`. */
const DATA = {
  'rules/ict-index-published/2019': ['../shared/data/ict-index-2019-quang-ninh-reported.json'],
};

/** Which example the page opens with, and the order the list starts with. */
const FIRST = ['rules/it-staffing', 'rules/ict-index/2019', 'rules/ict-index/2018'];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const files = {};
for (const p of walk(join(root, 'rules')).sort()) {
  if (p.endsWith('.chiso') || p.endsWith('.rhai')) {
    files[relative(root, p)] = readFileSync(p, 'utf8');
  }
}

const folders = [...new Set(Object.keys(files).filter((p) => p.endsWith('.chiso')).map(dirname))];
/** The files of the rule sets that `folder` extends, nearest first. */
function bases(folder, depth) {
  const header = Object.keys(files)
    .filter((p) => dirname(p) === folder && p.endsWith('.chiso'))
    .map((p) => files[p].match(/^\s*extends\s+"([^"]*)"/m))
    .find(Boolean);
  if (!header || depth > 8) return [];
  const base = normalize(join(folder, header[1])).replace(/\/$/, '');
  return [...Object.keys(files).filter((p) => dirname(p) === base), ...bases(base, depth + 1)];
}

const examples = folders.map((folder) => {
  const own = Object.keys(files).filter((p) => dirname(p) === folder);
  const main = own.find((p) => /^\s*methodology\s/m.test(files[p])) ?? own[0];
  const header = files[main].match(/^\s*methodology\s+"([^"]*)"\s+version\s+(\S+)/m);
  let data = DATA[folder];
  if (!data) {
    const dir = join('examples', folder.split('/')[1]);
    data = existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => /\.(json|csv)$/.test(f))
          .map((f) => join(dir, f))
      : [];
    // The year of the rule set's folder picks its data first (2018 rules, 2018 data).
    const year = basename(folder).match(/^\d{4}$/)?.[0];
    if (year) data.sort((a, b) => b.includes(year) - a.includes(year));
  }
  data = data.filter((d) => existsSync(join(root, d)) && statSync(join(root, d)).isFile());
  return {
    id: folder.replace(/^rules\//, ''),
    rules: folder,
    name: header ? `${header[1]} (${header[2]})` : folder,
    // The rule set's own files (the one with the header first), then those of the rule
    // sets it extends.
    files: [main, ...own.filter((p) => p !== main), ...bases(folder, 0)],
    data: data.map((d) => ({ name: d, text: readFileSync(join(root, d), 'utf8') })),
  };
});
examples.sort((a, b) => {
  const rank = (e) => (FIRST.includes(e.rules) ? FIRST.indexOf(e.rules) : FIRST.length);
  return rank(a) - rank(b) || a.rules.localeCompare(b.rules);
});

process.stdout.write(JSON.stringify({ files, examples }));
