//! Names and order: every declaration entered in the symbol table (duplicates refused),
//! the evaluation order found by a depth-first search over dependencies (cycles named),
//! the names an expression reads, and inputs nothing uses.

use std::collections::HashMap;

use super::{Builtin, Checker, Symbol, SymbolKind, Ty};
use crate::diagnostic::Diagnostic;
use crate::parse::ast::*;
use crate::source::Loc;

/// A depth-first search frame: an item, its dependencies, the next one to visit.
type Frame = (usize, Vec<(String, Loc)>, usize);

impl Checker<'_> {
    pub(super) fn declare(&mut self) {
        let mut rules: HashMap<&str, &Loc> = HashMap::new();
        let mut ranks: HashMap<&str, &Loc> = HashMap::new();
        let mut sensitivity: Option<&Loc> = None;
        let mut tests: HashMap<&str, &Loc> = HashMap::new();
        for (index, item) in self.items.iter().enumerate() {
            let ident = item.ident();
            let kind = match item {
                Item::Constant(_) => SymbolKind::Constant,
                Item::Input(_) => SymbolKind::Input,
                Item::Indicator(_) => SymbolKind::Indicator,
                Item::Score(_) => SymbolKind::Score,
                Item::Rule(_) => {
                    if let Some(first) = rules.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("rule `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second declaration")
                            .with_secondary(first, "first declared here")
                            .with_help("rule ids must be unique within a rule set"),
                        );
                    }
                    continue;
                }
                Item::Rank(_) => {
                    if let Some(first) = ranks.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("rank `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second rank with this key")
                            .with_secondary(first, "first declared here")
                            .with_help("give the second one its own key with `as …`"),
                        );
                    }
                    continue;
                }
                // Resolved away by `extends` before checking.
                Item::Hooks(_) | Item::Remove(_) | Item::Replace(_) | Item::Holidays(_) => continue,
                // Read with the data, not evaluated (`RuleSet` resolves them).
                Item::Alias(_) | Item::Aliases(_) => continue,
                Item::Test(_) => {
                    if let Some(first) = tests.insert(&ident.name, &ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                format!("test `{}` is declared twice", ident.name),
                                &ident.loc,
                            )
                            .with_label("second test with this name")
                            .with_secondary(first, "first declared here"),
                        );
                    }
                    continue;
                }
                Item::Sensitivity(_) => {
                    if let Some(first) = sensitivity.replace(&ident.loc) {
                        self.diags.push(
                            Diagnostic::error(
                                "a rule set has one `sensitivity` declaration",
                                &ident.loc,
                            )
                            .with_label("second one")
                            .with_secondary(first, "first here"),
                        );
                    }
                    continue;
                }
            };
            if let Some(first) = self.symbols.get(&ident.name) {
                self.diags.push(
                    Diagnostic::error(format!("`{}` is declared twice", ident.name), &ident.loc)
                        .with_label(format!("this {}", kind.keyword()))
                        .with_secondary(
                            &first.loc,
                            format!("first declared here as {}", first.kind.keyword()),
                        )
                        .with_help("constants, inputs, indicators and scores share one namespace"),
                );
                continue;
            }
            if Builtin::from_name(&ident.name).is_some() {
                self.diags.push(
                    Diagnostic::warning(
                        format!("`{}` has the name of a built-in function", ident.name),
                        &ident.loc,
                    )
                    .with_label("shadows nothing, but reads like a call")
                    .with_help("choose another name"),
                );
            }
            self.symbols.insert(
                ident.name.clone(),
                Symbol {
                    kind,
                    item: index,
                    ty: Ty::Unknown,
                    loc: ident.loc.clone(),
                },
            );
        }
    }

    /// Names of indicators and scores that `item` uses directly.
    pub(super) fn dependencies(item: &Item) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        match item {
            Item::Indicator(ind) => names_in(&ind.formula, &mut out),
            Item::Score(score) => {
                for m in &score.members {
                    out.push((m.name.name.clone(), m.name.loc.clone()));
                }
                if let Some((_, Some(cohort), _)) = &score.rescale {
                    names_in(cohort, &mut out);
                }
            }
            _ => {}
        }
        out
    }

    /// Orders indicators and scores so each comes after what it uses; reports cycles.
    pub(super) fn order(&mut self) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let mut marks = vec![Mark::New; self.items.len()];
        let mut order = Vec::new();
        let mut reported = false;
        for start in 0..self.items.len() {
            if !matches!(
                self.items.get(start),
                Some(Item::Indicator(_) | Item::Score(_))
            ) {
                continue;
            }
            if marks.get(start) != Some(&Mark::New) {
                continue;
            }
            // Iterative depth-first search; the stack holds (item, its dependencies, next index).
            let mut stack: Vec<Frame> = Vec::new();
            let items = self.items;
            let enter = |node: usize, marks: &mut Vec<Mark>, stack: &mut Vec<Frame>| {
                if let Some(m) = marks.get_mut(node) {
                    *m = Mark::Active;
                }
                let deps = items.get(node).map(Self::dependencies).unwrap_or_default();
                stack.push((node, deps, 0));
            };
            enter(start, &mut marks, &mut stack);
            while let Some((node, deps, next)) = stack.last_mut() {
                let node = *node;
                let Some((dep_name, dep_loc)) = deps.get(*next).cloned() else {
                    if let Some(m) = marks.get_mut(node) {
                        *m = Mark::Done;
                    }
                    order.push(node);
                    stack.pop();
                    continue;
                };
                *next += 1;
                let Some(sym) = self.symbols.get(&dep_name) else {
                    continue; // reported by type inference
                };
                if !matches!(sym.kind, SymbolKind::Indicator | SymbolKind::Score) {
                    continue;
                }
                let dep = sym.item;
                match marks.get(dep).copied() {
                    Some(Mark::New) => enter(dep, &mut marks, &mut stack),
                    Some(Mark::Active) if !reported => {
                        reported = true;
                        let pos = stack.iter().position(|(n, _, _)| *n == dep).unwrap_or(0);
                        let mut path: Vec<String> = stack
                            .iter()
                            .skip(pos)
                            .filter_map(|(n, _, _)| {
                                self.items.get(*n).map(|i| i.ident().name.clone())
                            })
                            .collect();
                        path.push(dep_name.clone());
                        let mut d = Diagnostic::error(
                            format!("`{dep_name}` depends on itself: {}", path.join(" → ")),
                            &dep_loc,
                        )
                        .with_label("this reference closes the cycle")
                        .with_help(
                            "an indicator cannot be computed from its own value; break the cycle",
                        );
                        if let Some(item) = self.items.get(dep) {
                            d = d.with_secondary(&item.ident().loc, "declared here");
                        }
                        self.diags.push(d);
                    }
                    _ => {}
                }
            }
        }
        order
    }

    pub(super) fn unused_inputs(&mut self) {
        for item in self.items {
            if let Item::Input(input) = item
                && !self.used.contains_key(&input.name.name)
            {
                self.diags.push(
                    Diagnostic::warning(
                        format!("input `{}` is never used", input.name.name),
                        &input.name.loc,
                    )
                    .with_label("declared here")
                    .with_help("use it in an indicator or rule, or remove it"),
                );
            }
        }
    }
}

/// Every name referenced in `e`, with its location (function names excluded).
pub fn names_in(e: &Expr, out: &mut Vec<(String, Loc)>) {
    match &e.kind {
        ExprKind::Name(n) => out.push((n.clone(), e.loc.clone())),
        ExprKind::Unary(_, x) => names_in(x, out),
        ExprKind::Binary(_, a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        ExprKind::If(c, a, b) => {
            names_in(c, out);
            names_in(a, out);
            names_in(b, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| names_in(a, out)),
        ExprKind::Normalise(n) => {
            out.push((n.column.name.clone(), n.column.loc.clone()));
            if let Some(c) = &n.cohort {
                names_in(c, out);
            }
        }
        ExprKind::Rank(r) => {
            out.push((r.column.name.clone(), r.column.loc.clone()));
            if let Some(c) = &r.cohort {
                names_in(c, out);
            }
        }
        ExprKind::Collection(c) => {
            out.push((c.list.name.clone(), c.list.loc.clone()));
            if let Some(f) = &c.filter {
                names_in(f, out);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|i| names_in(i, out)),
        ExprKind::Project(list, _) => out.push((list.name.clone(), list.loc.clone())),
        ExprKind::Audit(a) => {
            for c in a.columns() {
                out.push((c.name.clone(), c.loc.clone()));
            }
            // Last year's value is a slot of its own (no dependency of this year's order).
            if let Some(p) = a.previous() {
                out.push((
                    crate::parse::audit::previous_slot_name(&p.name),
                    p.loc.clone(),
                ));
            }
            if let Some(c) = a.condition() {
                names_in(c, out);
            }
        }
        ExprKind::Number(_) | ExprKind::Date(_) | ExprKind::Text(_) | ExprKind::Bool(_) => {}
    }
}
