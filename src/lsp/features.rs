//! What the server answers: hover, definition, references, rename, completion,
//! formatting, the outline and the test lenses. Each is a function of an [`Analysis`].

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeLens, Command, CompletionItem, CompletionItemKind, DocumentSymbol, Hover, HoverContents,
    Location, MarkupContent, MarkupKind, Position, Range, SymbolKind, TextEdit, Url, WorkspaceEdit,
};

use crate::check::Builtin;
use crate::parse::ast::{BoundOp, Item, Label};

use super::position::LineIndex;
use super::symbols::{Definition, Occurrence, Role};
use super::workspace::{Analysis, normalise};

/// The command a test lens runs.
pub const RUN_TESTS: &str = "chiso.runTests";

/// Keywords that start a declaration or clause, for completion.
pub const KEYWORDS: &[&str] = &[
    "methodology",
    "version",
    "unit",
    "key",
    "source",
    "extends",
    "constant",
    "input",
    "indicator",
    "score",
    "rule",
    "rank",
    "test",
    "given",
    "expect",
    "remove",
    "replace",
    "severity",
    "when",
    "require",
    "message",
    "cite",
    "display",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "true",
    "false",
    "normalise",
    "by",
    "among",
    "lower",
    "is",
    "better",
    "mean",
    "weighted",
    "geometric",
    "harmonic",
    "power",
    "minimum",
    "sum",
    "copeland",
    "dominance",
    "count",
    "share",
    "weights",
    "relative",
    "of",
    "weight",
    "missing",
    "rescaled",
    "sensitivity",
    "hooks",
    "holidays",
    "dated",
    "from",
    "default",
    "optional",
    "required",
    "list",
    "record",
    "where",
    "in",
    "until",
    "ascending",
    "rounded",
    "as",
    "value",
    "within",
    "decimals",
    "error",
    "warning",
    "info",
];

/// Normalisation methods (after `normalise … by` and `rescaled by`).
pub const METHODS: &[(&str, &str)] = &[
    (
        "max",
        "x / max across the cohort (lower is better: min / x)",
    ),
    ("minmax", "(x − min) / (max − min)"),
    ("zscore", "(x − mean) / sample standard deviation"),
    (
        "percentile",
        "(n − rank) / (n − 1): 1 for the best unit, 0 for the worst",
    ),
    ("rank", "competition rank, 1 for the best"),
    (
        "goalposts",
        "goalposts LOW .. HIGH: (x − low) / (high − low), clamped to [0, 1]",
    ),
    (
        "distance",
        "distance to \"UNIT\": 1 − (ref − x) / (ref − min)",
    ),
    ("hook", "hook NAME: a normaliser written in a hook script"),
];

/// Input types (after `input name:`).
pub const TYPES: &[&str] = &[
    "number", "integer", "decimal", "percent", "boolean", "text", "date", "list of",
];

/// A file URI of a path (`..` resolved).
pub fn uri(path: &Path) -> Option<Url> {
    Url::from_file_path(normalise(path)).ok()
}

fn location(analysis: &Analysis, loc: &crate::source::Loc) -> Option<Location> {
    let source = analysis
        .indexed
        .iter()
        .find(|s| s.name == loc.source.name)
        .map_or(&loc.source, |s| s);
    let range = LineIndex::new(&source.text).range(loc.range.clone());
    Some(Location::new(uri(Path::new(&loc.source.name))?, range))
}

/// The occurrence under the cursor.
fn at<'a>(analysis: &'a Analysis, path: &Path, offset: usize) -> Option<&'a Occurrence> {
    analysis.index.at(&path.display().to_string(), offset)
}

/// Hover: what the name under the cursor is.
pub fn hover(analysis: &Analysis, path: &Path, offset: usize) -> Option<Hover> {
    let occurrence = at(analysis, path, offset)?;
    let text = if occurrence.role == Role::Call {
        let b = Builtin::from_name(&occurrence.name)?;
        format!("```chiso\n{}\n```\n{}", b.usage(), b.doc())
    } else {
        let defs: Vec<&Definition> = analysis.index.definitions_of(&occurrence.name).collect();
        let def = defs.first()?;
        let mut text = describe(def);
        if def.replaces
            && let Some(base) = defs.get(1)
        {
            text.push_str(&format!(
                "\n\n---\nreplaces the extended methodology's {} at {}",
                base.item.kind(),
                base.loc
            ));
        }
        text
    };
    let source = analysis
        .indexed
        .iter()
        .find(|s| s.name == occurrence.loc.source.name)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(LineIndex::new(&source.text).range(occurrence.loc.range.clone())),
    })
}

fn labels(label: &Label) -> String {
    match (&label.primary, &label.secondary) {
        (Some(a), Some(b)) => format!("\n\n{a} / {b}"),
        (Some(a), None) => format!("\n\n{a}"),
        _ => String::new(),
    }
}

fn describe(def: &Definition) -> String {
    let name = &def.name;
    match &def.item {
        Item::Input(i) => {
            let mut ty = match &i.list {
                Some(crate::parse::ast::ListOf::Values(t)) => format!("list of {}", t.keyword()),
                Some(crate::parse::ast::ListOf::Records(fields)) => format!(
                    "list of record {{ {} }}",
                    fields
                        .iter()
                        .map(|f| format!("{}: {}", f.name.name, f.ty.keyword()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => i.ty.keyword().to_string(),
            };
            if i.optional {
                ty.push_str(" optional");
            }
            let mut out = format!("```chiso\ninput {name}: {ty}\n```");
            if !i.bounds.is_empty() {
                let bounds: Vec<String> = i
                    .bounds
                    .iter()
                    .map(|b| {
                        let op = match b.op {
                            BoundOp::Ge => "≥",
                            BoundOp::Gt => ">",
                            BoundOp::Le => "≤",
                            BoundOp::Lt => "<",
                        };
                        format!("{op} {}", b.value)
                    })
                    .collect();
                out.push_str(&format!("\nrange: {}", bounds.join(" and ")));
            }
            out.push_str(&format!(
                "\n\nsource field: `{}`",
                i.field.as_deref().unwrap_or(name)
            ));
            if let Some(d) = &i.default {
                out.push_str(&format!("\n\ndefault: `{}`", crate::format::expr(d)));
            }
            out + labels(&i.label).as_str()
        }
        Item::Indicator(i) => {
            let mut out = format!(
                "```chiso\nindicator {name} = {}\n```",
                crate::format::expr(&i.formula)
            );
            if let Some(d) = i.display {
                out.push_str(&format!("\ndisplay: {d} decimals"));
            }
            out + labels(&i.label).as_str()
        }
        Item::Rule(r) => {
            let severity = r.severity.as_ref().map_or("error", |(s, _)| s.keyword());
            let mut out = format!("```chiso\nrule {name}\n```\nseverity: {severity}");
            if let Some(w) = &r.when {
                out.push_str(&format!("\n\nwhen `{}`", crate::format::expr(w)));
            }
            for q in &r.require {
                out.push_str(&format!("\n\nrequire `{}`", crate::format::expr(q)));
            }
            if let Some(c) = &r.cite {
                out.push_str(&format!("\n\ncite: {c}"));
            }
            out + labels(&r.label).as_str()
        }
        other => {
            // Scores, constants, ranks: their declaration as `chiso fmt` prints it.
            let label = match other {
                Item::Score(s) => labels(&s.label),
                _ => String::new(),
            };
            format!(
                "```chiso\n{}\n```{label}",
                crate::format::item(other).trim_end()
            )
        }
    }
}

/// Go to definition: the declarations of the name (the rule set's, then its base's).
pub fn definition(analysis: &Analysis, path: &Path, offset: usize) -> Vec<Location> {
    let Some(occurrence) = at(analysis, path, offset) else {
        return Vec::new();
    };
    analysis
        .index
        .definitions_of(&occurrence.name)
        .filter_map(|d| location(analysis, &d.loc))
        .collect()
}

/// Find references: every place the name is written, declarations if asked.
pub fn references(
    analysis: &Analysis,
    path: &Path,
    offset: usize,
    declarations: bool,
) -> Vec<Location> {
    let Some(occurrence) = at(analysis, path, offset) else {
        return Vec::new();
    };
    if occurrence.role == Role::Call {
        return Vec::new();
    }
    analysis
        .index
        .occurrences_of(&occurrence.name)
        .filter(|o| declarations || o.role != Role::Definition)
        .filter_map(|o| location(analysis, &o.loc))
        .collect()
}

/// Rename: every occurrence, across the rule set's files and its bases'. An error text
/// when the new name is not a name or is taken.
pub fn rename(
    analysis: &Analysis,
    path: &Path,
    offset: usize,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some(occurrence) = at(analysis, path, offset) else {
        return Ok(None);
    };
    if occurrence.role == Role::Call {
        return Err(format!("`{}` is a built-in function", occurrence.name));
    }
    if analysis
        .index
        .definitions_of(&occurrence.name)
        .next()
        .is_none()
    {
        return Err(format!(
            "`{}` is not declared in this rule set",
            occurrence.name
        ));
    }
    if !is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a name (letters, digits and `_`; not a reserved word)"
        ));
    }
    if analysis.index.definitions_of(new_name).next().is_some() {
        return Err(format!("`{new_name}` is already declared"));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for o in analysis.index.occurrences_of(&occurrence.name) {
        if let Some(l) = location(analysis, &o.loc) {
            changes
                .entry(l.uri)
                .or_default()
                .push(TextEdit::new(l.range, new_name.to_string()));
        }
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// A valid name: what the grammar's `ident` accepts, checked by parsing an expression.
fn is_name(name: &str) -> bool {
    let source = crate::source::Source::new("rename", name);
    matches!(
        crate::parse::parse_expr(&source),
        Ok(crate::parse::ast::Expr { kind: crate::parse::ast::ExprKind::Name(n), .. }) if n == name
    )
}

/// Completion: what may stand at the cursor, judged from the words before it on the line.
pub fn completion(
    analysis: &Analysis,
    text: &str,
    offset: usize,
    extra_names: &[(String, &'static str)],
) -> Vec<CompletionItem> {
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..offset).unwrap_or("");
    let words: Vec<&str> = before
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| !w.is_empty())
        .collect();
    let typing = before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    let previous = if typing {
        words.len().checked_sub(2).and_then(|i| words.get(i))
    } else {
        words.last()
    };
    let item = |label: &str, kind, detail: &str| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: (!detail.is_empty()).then(|| detail.to_string()),
        ..Default::default()
    };
    if previous == Some(&"by") {
        return METHODS
            .iter()
            .map(|(m, doc)| item(m, CompletionItemKind::ENUM_MEMBER, doc))
            .collect();
    }
    if before.trim_start().starts_with("input") && previous.is_some_and(|w| w.ends_with(':')) {
        return TYPES
            .iter()
            .map(|t| item(t, CompletionItemKind::TYPE_PARAMETER, "input type"))
            .collect();
    }
    if previous == Some(&"severity") {
        return ["error", "warning", "info"]
            .iter()
            .map(|s| item(s, CompletionItemKind::ENUM_MEMBER, "severity"))
            .collect();
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let names = analysis
        .index
        .definitions
        .iter()
        .map(|d| (d.name.clone(), d.item.kind()))
        .chain(extra_names.iter().cloned());
    for (name, kind) in names {
        if seen.insert(name.clone()) {
            let k = match kind {
                "input" => CompletionItemKind::FIELD,
                "constant" => CompletionItemKind::CONSTANT,
                "rule" => CompletionItemKind::EVENT,
                _ => CompletionItemKind::VARIABLE,
            };
            out.push(item(&name, k, kind));
        }
    }
    for b in Builtin::ALL {
        out.push(CompletionItem {
            documentation: Some(lsp_types::Documentation::String(b.doc().to_string())),
            ..item(b.name(), CompletionItemKind::FUNCTION, b.usage())
        });
    }
    for k in KEYWORDS {
        out.push(item(k, CompletionItemKind::KEYWORD, ""));
    }
    out
}

/// Formatting: the whole document as `chiso fmt` prints it (nothing when it does not
/// parse or is already formatted).
pub fn format(source: &std::sync::Arc<crate::source::Source>) -> Vec<TextEdit> {
    match crate::format::format_source(source) {
        Ok(formatted) if formatted != source.text => {
            let index = LineIndex::new(&source.text);
            vec![TextEdit::new(index.range(0..source.text.len()), formatted)]
        }
        _ => Vec::new(),
    }
}

/// The outline of one file: its declarations in order.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written; it is `None`.
pub fn symbols(source: &std::sync::Arc<crate::source::Source>) -> Vec<DocumentSymbol> {
    let Ok(file) = crate::parse::parse_file(source) else {
        return Vec::new();
    };
    let index = LineIndex::new(&source.text);
    let spans = file.spans.iter().skip(usize::from(file.header.is_some()));
    file.items
        .iter()
        .zip(spans)
        .map(|(item, span)| {
            let ident = item.ident();
            let kind = match item.kind() {
                "constant" => SymbolKind::CONSTANT,
                "input" => SymbolKind::FIELD,
                "indicator" => SymbolKind::VARIABLE,
                "score" => SymbolKind::CLASS,
                "rule" => SymbolKind::EVENT,
                "test" => SymbolKind::METHOD,
                "rank" => SymbolKind::NUMBER,
                _ => SymbolKind::KEY,
            };
            let detail = match item {
                Item::Remove(_) => "remove".to_string(),
                Item::Replace(inner) => format!("replace {}", inner.kind()),
                other => other.kind().to_string(),
            };
            DocumentSymbol {
                name: ident.name.clone(),
                detail: Some(detail),
                kind,
                tags: None,
                deprecated: None,
                range: index.range(span.clone()),
                selection_range: index.range(ident.loc.range.clone()),
                children: None,
            }
        })
        .collect()
}

/// A lens above each `test` of the file: runs it.
pub fn lenses(source: &std::sync::Arc<crate::source::Source>, uri: &Url) -> Vec<CodeLens> {
    let Ok(file) = crate::parse::parse_file(source) else {
        return Vec::new();
    };
    let index = LineIndex::new(&source.text);
    file.items
        .iter()
        .filter_map(|i| match i {
            Item::Test(t) => Some(t),
            _ => None,
        })
        .map(|t| {
            let start = index.position(t.name.loc.range.start);
            CodeLens {
                range: Range::new(Position::new(start.line, 0), start),
                command: Some(Command {
                    title: "▶ Run test".to_string(),
                    command: RUN_TESTS.to_string(),
                    arguments: Some(vec![
                        serde_json::Value::String(uri.to_string()),
                        serde_json::Value::String(t.name.name.clone()),
                    ]),
                }),
                data: None,
            }
        })
        .collect()
}

/// Runs the rule set's tests (or the one named): one line per test, as `chiso test`
/// prints them, and the count of failures.
pub fn run_tests(analysis: &Analysis, only: Option<&str>) -> (Vec<String>, usize) {
    let Some(rules) = &analysis.rules else {
        return (
            vec!["the rule set has errors; fix them to run its tests".to_string()],
            1,
        );
    };
    let results = crate::testing::run(rules);
    let mut lines = Vec::new();
    let mut failed = 0;
    for r in results.iter().filter(|r| only.is_none_or(|n| r.name == n)) {
        if !r.passed() {
            failed += 1;
        }
        lines.push(r.to_string());
    }
    (lines, failed)
}
