// Highlighting of rule files in CodeMirror 6, read from the VS Code extension's TextMate
// grammar (`editors/vscode/syntaxes/chiso.tmLanguage.json`, bundled at build time): one
// grammar for both editors, so a keyword added there is highlighted here too.
//
// The grammar is a flat list of `match` patterns (with captures) and one `begin`/`end`
// region (strings); each is compiled to a sticky JavaScript regular expression (the
// patterns use only lookbehind and `\p{L}`, which JavaScript has) and tried in the
// grammar's order at each position of a line, as a TextMate tokenizer does.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import grammar from '../../editors/vscode/syntaxes/chiso.tmLanguage.json';

/** TextMate scope (prefix) → CodeMirror highlighting tag name; the first match wins. */
const SCOPES = [
  ['comment', 'comment'],
  ['entity.name.declaration', 'variableName.definition'],
  ['storage.type', 'definitionKeyword'],
  ['keyword.control', 'controlKeyword'],
  ['keyword.operator.word', 'operatorKeyword'],
  ['keyword.operator', 'operator'],
  ['keyword', 'keyword'],
  ['constant.character.escape', 'escape'],
  ['variable.other.placeholder', 'string.special'],
  ['string', 'string'],
  ['constant.numeric', 'number'],
  ['constant.language', 'atom'],
  ['support.constant', 'atom'],
  ['support.function', 'variableName.standard'],
  ['support.type', 'typeName'],
  ['punctuation', 'punctuation'],
  ['variable', 'variableName'],
];

function tagOf(scope) {
  const found = SCOPES.find(([prefix]) => scope === prefix || scope.startsWith(prefix + '.'));
  return found ? found[1] : null;
}

function compile(source) {
  return new RegExp(source, 'yud');
}

/** The grammar's top-level patterns, `include`s expanded, in order. */
function flatten(patterns, repository) {
  return patterns.flatMap((p) => {
    if (p.include) return flatten([repository[p.include.slice(1)]], repository);
    if (p.patterns && !p.begin) return flatten(p.patterns, repository);
    if (p.begin) {
      return [{
        begin: compile(p.begin),
        end: compile(p.end),
        tag: tagOf(p.name ?? ''),
        inner: flatten(p.patterns ?? [], repository),
      }];
    }
    return [{
      match: compile(p.match),
      tag: tagOf(p.name ?? ''),
      captures: p.captures
        ? Object.entries(p.captures).map(([i, c]) => [Number(i), tagOf(c.name)])
        : null,
    }];
  });
}

const RULES = flatten(grammar.patterns, grammar.repository);

/** Tries `rules` at the stream's position; on a match, consumes it and returns its tag. */
function step(stream, state, rules) {
  for (const rule of rules) {
    const re = rule.match ?? rule.begin;
    re.lastIndex = stream.pos;
    const m = re.exec(stream.string);
    if (!m || m[0].length === 0) continue;
    if (rule.begin) {
      stream.pos += m[0].length;
      state.region = rule;
      return rule.tag;
    }
    if (rule.captures) {
      // Emit each captured group as its own token; the text between them untagged.
      const start = stream.pos;
      state.pending = rule.captures
        .map(([i, tag]) => (m.indices[i] ? { from: m.indices[i][0], to: m.indices[i][1], tag } : null))
        .filter(Boolean)
        .sort((a, b) => a.from - b.from);
      state.pendingEnd = start + m[0].length;
      return drain(stream, state);
    }
    stream.pos += m[0].length;
    return rule.tag;
  }
  return undefined;
}

/** The next piece of a match with captures. */
function drain(stream, state) {
  const next = state.pending[0];
  if (next && stream.pos < next.from) {
    stream.pos = next.from;
    return null;
  }
  if (next) {
    state.pending.shift();
    stream.pos = next.to;
    if (!state.pending.length && stream.pos >= state.pendingEnd) state.pending = null;
    return next.tag;
  }
  stream.pos = state.pendingEnd;
  state.pending = null;
  return null;
}

export const chisoLanguage = StreamLanguage.define({
  name: 'chiso',
  startState: () => ({ region: null, pending: null, pendingEnd: 0 }),
  copyState: (s) => ({ ...s, pending: s.pending && [...s.pending] }),
  token(stream, state) {
    if (stream.sol()) state.pending = null; // a match never spans lines
    if (state.pending) return drain(stream, state);
    if (state.region) {
      const region = state.region;
      const tag = step(stream, { region: null }, region.inner);
      if (tag !== undefined) return tag;
      region.end.lastIndex = stream.pos;
      const end = region.end.exec(stream.string);
      if (end) {
        stream.pos += Math.max(end[0].length, 1);
        state.region = null;
      } else {
        stream.next();
      }
      return region.tag;
    }
    if (stream.eatSpace()) return null;
    const tag = step(stream, state, RULES);
    if (tag !== undefined) return tag;
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '#' } },
});

/** Colours close to VS Code's light theme for the same scopes. */
export const chisoHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: '#6a737d', fontStyle: 'italic' },
    { tag: t.definitionKeyword, color: '#0000ff', fontWeight: 'bold' },
    { tag: [t.controlKeyword, t.operatorKeyword], color: '#af00db' },
    { tag: t.keyword, color: '#0000ff' },
    { tag: t.definition(t.variableName), color: '#795e26', fontWeight: 'bold' },
    { tag: t.string, color: '#a31515' },
    { tag: [t.escape, t.special(t.string)], color: '#ee0000' },
    { tag: t.number, color: '#098658' },
    { tag: t.atom, color: '#0070c1' },
    { tag: t.standard(t.variableName), color: '#795e26' },
    { tag: t.typeName, color: '#267f99' },
    { tag: t.operator, color: '#000000' },
    { tag: t.variableName, color: '#001080' },
  ]),
);
