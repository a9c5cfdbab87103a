//! `chiso fmt`: one canonical layout for rule files.
//!
//! The file is parsed and printed back from its syntax tree: one declaration after
//! another, clauses on their own indented lines, operators spaced, parentheses only where
//! precedence needs them. Literals (numbers, percentages, bounds, weights, messages) are
//! printed exactly as written. Comments are kept: each stays in front of the declaration
//! it was written in or before; a blank line between declarations is kept too.

use std::fmt::Write;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::parse::ast::*;
use crate::parse::parse_file;
use crate::source::{Loc, Source};

/// The canonical text of a rule file, or its syntax errors.
pub fn format_source(source: &Arc<Source>) -> Result<String, Vec<Diagnostic>> {
    let file = parse_file(source)?;
    Ok(print_file(&file, &source.text))
}

/// Comments of `text`: (byte offset, text after `#`, trimmed at the end).
fn comments(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    crate::source::scan(
        text,
        |_, _| {},
        |at, c| out.push((at, c.trim_end().to_string())),
    );
    out
}

/// Where a declaration's own text ends: its span without the whitespace and comments
/// the parser may have taken along after it.
fn content_end(text: &str, start: usize, end: usize, comments: &[(usize, String)]) -> usize {
    let mut end = end.min(text.len());
    loop {
        let trimmed = text.get(start..end).map_or(0, |t| t.trim_end().len());
        end = start + trimmed;
        // A comment ends at the end of its line, before the newline trimmed above.
        match comments
            .iter()
            .find(|(at, c)| *at + 1 + c.len() == end && *at >= start)
        {
            Some((at, _)) => end = *at,
            None => return end,
        }
    }
}

fn print_file(file: &File, text: &str) -> String {
    let all = comments(text);
    let ends: Vec<usize> = file
        .spans
        .iter()
        .map(|s| content_end(text, s.start, s.end, &all))
        .collect();
    let mut comments = all.iter().peekable();
    let mut out = String::new();
    let mut blocks: Vec<String> = Vec::new();
    if let Some(h) = &file.header {
        blocks.push(header(h));
    }
    blocks.extend(file.items.iter().map(item));
    let mut previous_end = 0;
    for (k, (block, span)) in blocks.iter().zip(&file.spans).enumerate() {
        let end = ends.get(k).copied().unwrap_or(span.end);
        // A comment belongs to the declaration it is written in, on the same line as its
        // end, or just before it.
        let mut leading = Vec::new();
        let mut leading_ends = Vec::new();
        let mut first_at = None;
        while let Some((at, c)) = comments.peek() {
            let same_line = *at >= end && text.get(end..*at).is_some_and(|g| !g.contains('\n'));
            if *at < end || same_line {
                first_at.get_or_insert(*at);
                leading.push(c.clone());
                leading_ends.push(*at + 1 + c.len());
                comments.next();
            } else {
                break;
            }
        }
        if k > 0 {
            let gap_end = first_at
                .filter(|a| *a < span.start)
                .unwrap_or(span.start)
                .max(previous_end);
            let gap = text.get(previous_end..gap_end).unwrap_or("");
            // Keep one blank line where the author left one (or more), and after the header.
            if gap.matches('\n').count() >= 2 || (k == 1 && file.header.is_some()) {
                out.push('\n');
            }
        }
        let last_comment_end = leading_ends.last().copied();
        for c in leading {
            push_comment(&mut out, &c);
        }
        // A comment block separated from its declaration by a blank line stays so.
        if let Some(e) = last_comment_end
            && e < span.start
            && text
                .get(e..span.start)
                .is_some_and(|g| g.matches('\n').count() >= 2)
        {
            out.push('\n');
        }
        out.push_str(block);
        previous_end = end;
    }
    let trailing: Vec<&(usize, String)> = comments.collect();
    if let Some((at, _)) = trailing.first() {
        let gap = text.get(previous_end..*at).unwrap_or("");
        // A blank line separates the comments from what is printed above them; a file of
        // comments alone starts with its first comment.
        if !out.is_empty() && gap.matches('\n').count() >= 2 {
            out.push('\n');
        }
        for (_, c) in trailing {
            push_comment(&mut out, c);
        }
    }
    out
}

fn push_comment(out: &mut String, c: &str) {
    if c.is_empty() {
        out.push_str("#\n");
    } else if c.starts_with(' ') {
        let _ = writeln!(out, "#{c}");
    } else {
        let _ = writeln!(out, "# {c}");
    }
}

/// A string literal: quoted, with `"`, `\` and newlines escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn label(l: &Label) -> String {
    match (&l.primary, &l.secondary) {
        (Some(a), Some(b)) => format!("{} / {}", quote(a), quote(b)),
        (Some(a), None) => quote(a),
        _ => String::new(),
    }
}

/// A literal or clause exactly as written: string literals verbatim (two spaces in a
/// unit name stay two), whitespace between tokens one space, comments left out (they
/// are printed once, in front of the declaration they were written in).
fn written(loc: &Loc) -> String {
    let text = loc.text();
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped, mut in_comment, mut space) = (false, false, false, false);
    for c in text.chars() {
        if in_comment {
            in_comment = c != '\n';
            space = true;
            continue;
        }
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '#' {
            in_comment = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        in_string = c == '"';
        out.push(c);
    }
    out
}

fn header(h: &Header) -> String {
    let mut out = format!("methodology {} version {}\n", quote(&h.name), h.version);
    if let Some(unit) = &h.unit {
        let key = h
            .unit_key
            .as_ref()
            .map(|k| format!(" key {}", quote(k)))
            .unwrap_or_default();
        let _ = writeln!(out, "  unit {}{key}", unit.name);
    }
    for s in &h.sources {
        let _ = writeln!(out, "  source {}", quote(s));
    }
    if let Some((path, _)) = &h.extends {
        let _ = writeln!(out, "  extends {}", quote(path));
    }
    if let Some(d) = &h.dated_by {
        let _ = writeln!(out, "  dated by {}", d.name);
    }
    if let Some(period) = h.in_force {
        let _ = writeln!(out, "  {}", in_force(period));
    }
    if let Some((comma, _)) = &h.reading.decimal_comma {
        let _ = writeln!(out, "  decimal {}", if *comma { "comma" } else { "point" });
    }
    if let Some((t, _)) = &h.reading.thousands {
        let _ = writeln!(out, "  thousands {}", quote(t));
    }
    if let Some((markers, _)) = &h.reading.missing {
        let quoted: Vec<String> = markers.iter().map(|m| quote(m)).collect();
        let _ = writeln!(out, "  missing {}", wrap_list(&quoted, "  missing ".len()));
    }
    out
}

/// `in force from D [until D]`.
fn in_force((from, until): (i32, Option<i32>)) -> String {
    match until {
        Some(u) => format!(
            "in force from {} until {}",
            crate::date::format(from),
            crate::date::format(u)
        ),
        None => format!("in force from {}", crate::date::format(from)),
    }
}

fn display(d: Option<u32>, r: Rounding) -> Option<String> {
    d.map(|d| match r {
        Rounding::HalfUp => format!("display {d}"),
        Rounding::HalfEven => format!("display {d} half-even"),
        Rounding::Down => format!("display {d} down"),
    })
}

/// The canonical text of one declaration (what `chiso diff` compares).
pub fn item(declaration: &Item) -> String {
    match declaration {
        Item::Constant(c) => {
            let l = label(&c.label);
            let l = if l.is_empty() { l } else { format!(" {l}") };
            format!("constant {} = {}{l}\n", c.name.name, written(&c.value.loc))
        }
        Item::Input(i) => input(i),
        Item::Indicator(i) => {
            let l = label(&i.label);
            let mut clauses = Vec::new();
            if let Some(d) = display(i.display, i.rounding) {
                clauses.push(d);
            }
            if l.is_empty() && clauses.is_empty() {
                format!("indicator {} = {}\n", i.name.name, expr(&i.formula))
            } else {
                let head = if l.is_empty() {
                    i.name.name.clone()
                } else {
                    format!("{} {l}", i.name.name)
                };
                let mut out = format!("indicator {head}\n  = {}\n", expr(&i.formula));
                for c in clauses {
                    let _ = writeln!(out, "  {c}");
                }
                out
            }
        }
        Item::Score(s) => score(s),
        Item::Rule(r) => rule(r),
        Item::Rank(r) => {
            let mut out = format!("rank {}", r.column.name);
            rank_tail(&mut out, &r.spec);
            if let Some(k) = &r.key {
                let _ = write!(out, " as {}", k.name);
            }
            out.push('\n');
            out
        }
        Item::Sensitivity(s) => {
            let mut out = String::from("sensitivity\n");
            if let Some((_, loc)) = &s.weights_vary {
                let _ = writeln!(out, "  weights vary {}", written(loc));
            }
            if !s.alternatives.is_empty() {
                let methods: Vec<String> =
                    s.alternatives.iter().map(|(_, loc)| written(loc)).collect();
                let _ = writeln!(out, "  alternatives {}", methods.join(", "));
            }
            out
        }
        Item::Remove(r) => format!("remove {} {}\n", r.kind, r.name.name),
        Item::Holidays(h) => {
            let days: Vec<String> = h.days.iter().map(|d| crate::date::format(*d)).collect();
            let mut out = format!("holidays {}\n", wrap_list(&days, "holidays ".len()));
            if !h.working.is_empty() {
                let working: Vec<String> =
                    h.working.iter().map(|d| crate::date::format(*d)).collect();
                let _ = writeln!(out, "  working {}", wrap_list(&working, "  working ".len()));
            }
            out
        }
        Item::Alias(a) => {
            let names: Vec<String> = a.names.iter().map(|(n, _)| quote(n)).collect();
            format!(
                "alias {} for {}\n",
                wrap_list(&names, "alias ".len()),
                quote(&a.canonical.0)
            )
        }
        Item::Aliases(a) => format!("aliases {}\n", quote(&a.path)),
        Item::Replace(inner) => format!("replace {}", item(inner)),
        Item::Test(t) => {
            let mut out = format!("test {}\n", quote(&t.name.name));
            for g in &t.given {
                let fields: Vec<String> = g
                    .fields
                    .iter()
                    .map(|(k, v)| format!("{} = {}", k.name, expr(v)))
                    .collect();
                let head = format!("  given {} ", quote(&g.unit));
                let _ = writeln!(out, "{head}{}", wrap_list(&fields, head.chars().count()));
            }
            for e in &t.expect {
                let unit = quote(&e.unit);
                let _ = match &e.kind {
                    Expected::Finding { rule, status } => {
                        writeln!(out, "  expect {} {unit} {status}", rule.name)
                    }
                    Expected::Rank { key, rank } => {
                        writeln!(out, "  expect rank {} {unit} = {rank}", key.name)
                    }
                    Expected::Value { .. } => writeln!(
                        out,
                        "  expect {}",
                        written(&e.loc).trim_start_matches("expect ")
                    ),
                };
            }
            out
        }
        Item::Hooks(h) => {
            let scripts: Vec<String> = h.scripts.iter().map(|(p, _)| quote(p)).collect();
            let mut out = format!("hooks {}\n", scripts.join(", "));
            if !h.limits.is_empty() {
                let limits: Vec<String> = h
                    .limits
                    .iter()
                    .map(|(n, v, _)| format!("{n} {v}"))
                    .collect();
                let _ = writeln!(out, "  limits {}", limits.join(", "));
            }
            out
        }
    }
}

fn input(i: &Input) -> String {
    let ty = match &i.list {
        None => i.ty.keyword().to_string(),
        Some(ListOf::Values(t)) => format!("list of {}", t.keyword()),
        Some(ListOf::Records(fields)) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}{}",
                        f.name.name,
                        f.ty.keyword(),
                        if f.optional { " optional" } else { "" }
                    )
                })
                .collect();
            format!("list of record {{ {} }}", fields.join(", "))
        }
    };
    let mut out = format!("input {}: {ty}", i.name.name);
    let mut last: Option<&Loc> = None;
    for b in &i.bounds {
        // `in a .. b` is two bounds with one location.
        if last != Some(&b.loc) {
            let _ = write!(out, " {}", written(&b.loc));
        }
        last = Some(&b.loc);
    }
    if i.required {
        out.push_str(" required");
    }
    if i.optional {
        out.push_str(" optional");
    }
    if let Some(d) = &i.default {
        let _ = write!(out, " default {}", written(&d.loc));
    }
    if let Some(f) = &i.field {
        let _ = write!(out, " from {}", quote(f));
    }
    if let Some(r) = i.rounding {
        let _ = write!(out, " rounded {}", r.keyword());
    }
    if i.fraction.is_some() {
        out.push_str(" as fraction");
    }
    let l = label(&i.label);
    if !l.is_empty() {
        let _ = write!(out, "\n  {l}");
    }
    // A clause written twice is an error the checker reports; keep it for the author.
    for (_, loc) in &i.repeated {
        let _ = write!(out, "\n  {}", written(loc));
    }
    out.push('\n');
    out
}

fn score(s: &Score) -> String {
    let l = label(&s.label);
    let head = if l.is_empty() {
        s.name.name.clone()
    } else {
        format!("{} {l}", s.name.name)
    };
    let members: Vec<String> = s
        .members
        .iter()
        .map(|m| match &m.weight {
            Some((_, loc)) => format!("{} weight {}", m.name.name, written(loc)),
            None => m.name.name.clone(),
        })
        .collect();
    let weighted = if s.weighted { "weighted " } else { "" };
    let kind = match &s.aggregation {
        Aggregation::Arithmetic => format!("{weighted}mean"),
        Aggregation::Geometric => format!("{weighted}geometric mean"),
        Aggregation::Harmonic => format!("{weighted}harmonic mean"),
        Aggregation::Power(_) => {
            // The exponent as written: the number after `power`, which `mean` may follow
            // without a space (`power 0mean`).
            let text = written(&s.loc);
            let p: String = text
                .split_once("power")
                .map(|(_, rest)| {
                    rest.trim_start()
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '−' | '.' | '%'))
                        .collect()
                })
                .filter(|p: &String| !p.is_empty())
                .unwrap_or_else(|| "1".to_string());
            format!("{weighted}power {p} mean")
        }
        Aggregation::Minimum => "minimum".into(),
        Aggregation::Sum => "sum".into(),
        Aggregation::Hook(name) => format!("hook {name}"),
        Aggregation::Copeland | Aggregation::Dominance { .. } => {
            format!("{weighted}{}", s.aggregation.describe())
        }
    };
    let mut out = format!(
        "score {head}\n  = {kind} of {}\n",
        wrap_list(&members, "  = ".len() + kind.len() + " of ".len())
    );
    if let Some((policy, loc)) = &s.missing {
        let _ = match policy {
            MissingPolicy::Exclude(_)
            | MissingPolicy::ExcludeMembers(_)
            | MissingPolicy::Zero
            | MissingPolicy::Error => {
                writeln!(out, "  {}", written(loc))
            }
        };
    }
    if let Some((_, loc)) = &s.relative {
        let _ = writeln!(out, "  {}", written(loc));
    }
    if let Some(file) = &s.weights_file {
        let _ = writeln!(out, "  weights from {}", quote(&file.path));
    }
    if let Some((_, cohort, loc)) = &s.rescale {
        let among = cohort
            .as_ref()
            .map(|c| format!(" among {}", expr(c)))
            .unwrap_or_default();
        let _ = writeln!(out, "  rescaled by {}{among}", written(loc));
    }
    if let Some(d) = display(s.display, s.rounding) {
        let _ = writeln!(out, "  {d}");
    }
    out
}

fn rule(r: &Rule) -> String {
    let l = label(&r.label);
    let mut out = if l.is_empty() {
        format!("rule {}\n", r.name.name)
    } else {
        format!("rule {} {l}\n", r.name.name)
    };
    if let Some((sev, _)) = &r.severity {
        let _ = writeln!(out, "  severity {}", sev.keyword());
    }
    if let Some(w) = &r.when {
        let _ = writeln!(out, "  when {}", wrapped(w, "  when ".len()));
    }
    // The target follows the first requirement only: a second `require` is an error,
    // and a target written again is kept below as the repeat it is.
    let target = r.target.as_ref().map(|t| match (&t.baseline, t.deadline) {
        (None, None) => format!("by {}", t.year),
        _ => written(&t.loc),
    });
    for (i, req) in r.require.iter().enumerate() {
        let after = target
            .as_ref()
            .filter(|_| i == 0)
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  require {}{after}", wrapped(req, "  require ".len()));
    }
    // A rule with a target and no requirement is an error the checker reports; the
    // target is kept for the author, not dropped.
    if r.require.is_empty()
        && let Some(t) = &target
    {
        let _ = writeln!(out, "  {t}");
    }
    if let Some(period) = r.in_force {
        let _ = writeln!(out, "  {}", in_force(period));
    }
    if let Some((_, loc)) = &r.message {
        let _ = writeln!(out, "  message {}", loc.text());
    }
    if let Some(c) = &r.cite {
        let _ = writeln!(out, "  cite {}", quote(c));
    }
    // A clause written twice is an error the checker reports; keep it for the author.
    for (_, loc) in &r.repeated {
        let _ = writeln!(out, "  {}", written(loc));
    }
    out
}

fn rank_tail(out: &mut String, spec: &RankSpec) {
    if spec.ascending {
        out.push_str(" ascending");
    }
    if let Some(d) = spec.rounded {
        let _ = write!(out, " rounded {d}");
    }
    if let Some(g) = &spec.group {
        let _ = write!(out, " by {}", g.name);
    }
    if let Some(c) = &spec.cohort {
        let _ = write!(out, " among {}", expr(c));
    }
}

/// Lines longer than this are broken where the layout allows.
const WIDTH: usize = 100;

/// An expression that starts `indent` columns in: a long chain of `and` (or `or`) is
/// broken before each operator, aligned under the first operand.
fn wrapped(e: &Expr, indent: usize) -> String {
    let flat = expr(e);
    let ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), _, _) = &e.kind else {
        return flat;
    };
    if indent + flat.chars().count() <= WIDTH {
        return flat;
    }
    let mut operands = Vec::new();
    let mut rest = e;
    while let ExprKind::Binary(o, a, b) = &rest.kind {
        if o != op {
            break;
        }
        operands.push(b.as_ref());
        rest = a;
    }
    operands.push(rest);
    operands.reverse();
    let p = precedence(*op);
    let parts: Vec<String> = operands.iter().map(|x| operand(x, p + 1)).collect();
    let pad = " ".repeat(indent.saturating_sub(op.symbol().len() + 1));
    parts.join(&format!("\n{pad}{} ", op.symbol()))
}

/// A comma-separated list starting `indent` columns in, wrapped at [`WIDTH`].
fn wrap_list(items: &[String], indent: usize) -> String {
    let mut out = String::new();
    let mut column = indent;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            if column + 2 + item.chars().count() > WIDTH {
                out.push_str(",\n");
                out.push_str(&" ".repeat(indent));
                column = indent;
            } else {
                out.push_str(", ");
                column += 2;
            }
        }
        out.push_str(item);
        column += item.chars().count();
    }
    out
}

/// Binding strength of an operator: higher binds tighter.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::Approx => 4,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div => 6,
        BinaryOp::Pow => 8,
    }
}

/// Precedence of an expression as an operand (operands that are not operators bind
/// tightest; `if`, `normalise … among` and `rank … among` swallow what follows).
fn strength(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, _, _) => precedence(*op),
        ExprKind::Unary(UnaryOp::Not, _) => 3,
        ExprKind::Unary(UnaryOp::Neg, _) => 7,
        ExprKind::If(..) => 0,
        ExprKind::Normalise(n) if n.cohort.is_some() => 0,
        ExprKind::Rank(r) if r.cohort.is_some() => 0,
        ExprKind::Audit(a) if a.condition().is_some() => 0,
        _ => 9,
    }
}

fn operand(e: &Expr, min: u8) -> String {
    if strength(e) < min {
        format!("({})", expr(e))
    } else {
        expr(e)
    }
}

/// The canonical text of an expression.
pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(_) | ExprKind::Bool(_) | ExprKind::Date(_) => written(&e.loc),
        ExprKind::Text(t) => quote(t),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("-{}", operand(x, 7)),
        ExprKind::Unary(UnaryOp::Not, x) => format!("not {}", operand(x, 3)),
        ExprKind::Binary(op, a, b) => {
            let p = precedence(*op);
            // Left-associative operators keep their left operand at the same level; `^` is
            // right-associative; comparisons do not chain.
            let (left, right) = match op {
                BinaryOp::Pow => (p + 1, p),
                _ if p == 4 => (p + 1, p + 1),
                _ => (p, p + 1),
            };
            format!("{} {} {}", operand(a, left), op.symbol(), operand(b, right))
        }
        ExprKind::If(c, a, b) => format!("if {} then {} else {}", expr(c), expr(a), expr(b)),
        ExprKind::Call(f, args) => {
            let args: Vec<String> = args.iter().map(expr).collect();
            format!("{}({})", f.name, args.join(", "))
        }
        ExprKind::Normalise(n) => {
            if matches!(
                n.method,
                crate::parse::ast::Method::Composite(crate::parse::composite::Normaliser::Treat(_))
            ) {
                // `treat x … among …` is written as one piece.
                return written(&n.method_loc);
            }
            let mut out = format!("normalise {} by {}", n.column.name, written(&n.method_loc));
            if n.lower_is_better {
                out.push_str(" lower is better");
            }
            if let Some(c) = &n.cohort {
                let _ = write!(out, " among {}", expr(c));
            }
            out
        }
        ExprKind::Rank(r) => {
            let mut out = format!("rank of {}", r.column.name);
            rank_tail(&mut out, r);
            out
        }
        ExprKind::Project(list, field) => format!("{}.{}", list.name, field.name),
        ExprKind::Audit(a) => crate::parse::audit::format(a, expr),
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(expr).collect();
            format!("[{}]", items.join(", "))
        }
        ExprKind::Collection(c) => {
            let field = c
                .field
                .as_ref()
                .map(|f| format!(".{}", f.name))
                .unwrap_or_default();
            let filter = c
                .filter
                .as_ref()
                .map(|f| format!(" where {}", expr(f)))
                .unwrap_or_default();
            format!("{}({}{field}{filter})", c.op.keyword(), c.list.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(&Source::new("t.chiso", text)).unwrap_or_else(|d| panic!("{}", d[0].render()))
    }

    #[test]
    fn expressions_keep_only_needed_parentheses() {
        let out = fmt(
            "methodology \"T\" version 1\ninput a: number\ninput b: number\nindicator x = ((a + b)) * (a - (b - a)) / 2 ^ (2 ^ 3)\nindicator y = -(a) + (a * b) - (a - b)\nindicator z=(a ≥ 40%) and not (b > 1 or a < 2)",
        );
        assert!(
            out.contains("indicator x = (a + b) * (a - (b - a)) / 2 ^ 2 ^ 3\n"),
            "{out}"
        );
        assert!(
            out.contains("indicator y = -a + a * b - (a - b)\n"),
            "{out}"
        );
        assert!(
            out.contains("indicator z = a >= 40% and not (b > 1 or a < 2)\n"),
            "{out}"
        );
    }

    #[test]
    fn comments_stay_with_their_declarations() {
        let text = "# file comment\nmethodology \"T\" version 1\n\n# about a\ninput a: number   # trailing\ninput b: number\n\n\n# last\n";
        let out = fmt(text);
        assert_eq!(
            out,
            "# file comment\nmethodology \"T\" version 1\n\n# about a\n# trailing\ninput a: number\ninput b: number\n\n# last\n"
        );
        assert_eq!(fmt(&out), out);
    }

    #[test]
    fn long_conditions_and_member_lists_wrap() {
        let text = "methodology \"T\" version 1\ninput alpha_value: number\ninput beta_value: number\n\
            rule r require alpha_value <= beta_value and beta_value <= 100 and alpha_value >= 0 and beta_value != 7 and alpha_value != 8\n\
            score s = mean of alpha_value, beta_value, alpha_value_x, beta_value_y, alpha_value_z, beta_value_w, alpha_value_q\n";
        let out = fmt(text);
        assert!(out.contains("  require alpha_value <= beta_value\n      and beta_value <= 100\n      and alpha_value >= 0\n"), "{out}");
        assert!(out.contains("  = mean of alpha_value, beta_value, alpha_value_x, beta_value_y, alpha_value_z, beta_value_w,\n            alpha_value_q\n"), "{out}");
        assert_eq!(fmt(&out), out);
    }
}
