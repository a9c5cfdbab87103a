//! Where each name of a rule set is declared and used: the index behind hover, go to
//! definition, find references and rename.
//!
//! It walks the syntax trees the library's parser produced (no second parser); names are
//! matched by their text, as the checker's single shared namespace does.

use std::collections::{HashMap, HashSet};

use crate::parse::ast::{
    Expected, Expr, ExprKind, File, Item, ListOf, MessagePart, Normalise, RankSpec,
};
use crate::source::Loc;

/// What an occurrence of a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The name a declaration introduces.
    Definition,
    /// A use of a declared name.
    Reference,
    /// A call of a built-in or hook function (`round(…)`).
    Call,
}

/// One place a name is written.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The name.
    pub name: String,
    /// Exactly the name's text.
    pub loc: Loc,
    /// Declaration, use or call.
    pub role: Role,
}

/// A declaration and where its name is written.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The declared name.
    pub name: String,
    /// The declaration (a `replace` already unwrapped).
    pub item: Item,
    /// The name's location.
    pub loc: Loc,
    /// Written with `replace`: it stands in for the extended methodology's one.
    pub replaces: bool,
}

/// Every declaration and every use of a name, over the files given.
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Declarations, in file order (a rule set's own files before its base's).
    pub definitions: Vec<Definition>,
    /// Every occurrence, declarations included.
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes parsed files; those that extend come before their base.
    pub fn build<'a>(files: impl IntoIterator<Item = &'a File> + Clone) -> Self {
        // Names inside `where` filters may be fields of a record list, not declarations.
        let mut fields: HashMap<String, HashSet<String>> = HashMap::new();
        for item in files.clone().into_iter().flat_map(|f| &f.items) {
            if let Item::Input(input) = unwrap(item)
                && let Some(ListOf::Records(decls)) = &input.list
            {
                fields
                    .entry(input.name.name.clone())
                    .or_default()
                    .extend(decls.iter().map(|d| d.name.name.clone()));
            }
        }
        let mut walker = Walker {
            index: Index::default(),
            fields,
        };
        for file in files {
            if let Some(header) = &file.header
                && let Some(d) = &header.dated_by
            {
                walker.reference(&d.name, &d.loc);
            }
            for item in &file.items {
                walker.item(item);
            }
        }
        walker.index
    }

    /// The occurrence whose text covers byte `offset` of the file named `file`.
    pub fn at(&self, file: &str, offset: usize) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| {
            o.loc.source.name == file && o.loc.range.start <= offset && offset <= o.loc.range.end
        })
    }

    /// The declarations of `name`: the rule set's own first, then its base's.
    pub fn definitions_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Definition> {
        self.definitions.iter().filter(move |d| d.name == name)
    }

    /// Every occurrence of a declared `name` (declarations and uses, no calls).
    pub fn occurrences_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.name == name && o.role != Role::Call)
    }
}

fn unwrap(item: &Item) -> &Item {
    match item {
        Item::Replace(inner) => unwrap(inner),
        other => other,
    }
}

struct Walker {
    index: Index,
    fields: HashMap<String, HashSet<String>>,
}

impl Walker {
    fn push(&mut self, name: &str, loc: &Loc, role: Role) {
        // An expression's location may include parentheses; narrow it to the name.
        let loc = match loc.text().find(name) {
            Some(at) if loc.text() != name => Loc {
                source: loc.source.clone(),
                range: loc.range.start + at..loc.range.start + at + name.len(),
            },
            _ => loc.clone(),
        };
        self.index.occurrences.push(Occurrence {
            name: name.to_string(),
            loc,
            role,
        });
    }

    fn reference(&mut self, name: &str, loc: &Loc) {
        self.push(name, loc, Role::Reference);
    }

    fn define(&mut self, item: &Item, replaces: bool) {
        let ident = item.ident();
        self.index.definitions.push(Definition {
            name: ident.name.clone(),
            item: item.clone(),
            loc: ident.loc.clone(),
            replaces,
        });
        self.push(&ident.name, &ident.loc, Role::Definition);
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Replace(inner) => {
                let inner = unwrap(inner);
                self.define(inner, true);
                self.body(inner);
            }
            Item::Remove(r) => self.reference(&r.name.name, &r.name.loc),
            Item::Constant(_) | Item::Input(_) | Item::Indicator(_) | Item::Score(_) => {
                self.define(item, false);
                self.body(item);
            }
            Item::Rule(_) => {
                self.define(item, false);
                self.body(item);
            }
            Item::Rank(r) => {
                self.reference(&r.spec.column.name, &r.spec.column.loc);
                if r.key.is_some() {
                    self.define(item, false);
                }
                self.rank_spec(&r.spec, false);
            }
            Item::Test(_) => self.body(item),
            Item::Sensitivity(_)
            | Item::Hooks(_)
            | Item::Holidays(_)
            | Item::Alias(_)
            | Item::Aliases(_) => {}
        }
    }

    fn body(&mut self, item: &Item) {
        match item {
            Item::Constant(c) => self.expr(&c.value, None),
            Item::Input(i) => {
                if let Some(d) = &i.default {
                    self.expr(d, None);
                }
            }
            Item::Indicator(i) => self.expr(&i.formula, None),
            Item::Score(s) => {
                for m in &s.members {
                    self.reference(&m.name.name, &m.name.loc);
                }
                if let Some((_, Some(cohort), _)) = &s.rescale {
                    self.expr(cohort, None);
                }
            }
            Item::Rule(r) => {
                for e in r.when.iter().chain(&r.require) {
                    self.expr(e, None);
                }
                if let Some((parts, _)) = &r.message {
                    for part in parts {
                        if let MessagePart::Value { name, .. } = part {
                            self.reference(&name.name, &name.loc);
                        }
                    }
                }
            }
            Item::Test(t) => {
                for given in &t.given {
                    for (field, _) in &given.fields {
                        self.reference(&field.name, &field.loc);
                    }
                }
                for e in &t.expect {
                    let ident = match &e.kind {
                        Expected::Finding { rule, .. } => rule,
                        Expected::Value { name, .. } => name,
                        Expected::Rank { key, .. } => key,
                    };
                    self.reference(&ident.name, &ident.loc);
                }
            }
            _ => {}
        }
    }

    fn rank_spec(&mut self, spec: &RankSpec, column: bool) {
        if column {
            self.reference(&spec.column.name, &spec.column.loc);
        }
        if let Some(c) = &spec.cohort {
            self.expr(c, None);
        }
    }

    fn normalise(&mut self, n: &Normalise) {
        self.reference(&n.column.name, &n.column.loc);
        if let Some(c) = &n.cohort {
            self.expr(c, None);
        }
    }

    /// `record`: the fields a `where` filter may name without declaring them.
    fn expr(&mut self, e: &Expr, record: Option<&HashSet<String>>) {
        match &e.kind {
            ExprKind::Name(n) => {
                if !record.is_some_and(|fields| fields.contains(n)) {
                    self.reference(n, &e.loc);
                }
            }
            ExprKind::Number(_) | ExprKind::Date(_) | ExprKind::Text(_) | ExprKind::Bool(_) => {}
            ExprKind::Unary(_, a) => self.expr(a, record),
            ExprKind::Binary(_, a, b) => {
                self.expr(a, record);
                self.expr(b, record);
            }
            ExprKind::If(c, a, b) => {
                self.expr(c, record);
                self.expr(a, record);
                self.expr(b, record);
            }
            ExprKind::Call(f, args) => {
                self.push(&f.name, &f.loc, Role::Call);
                for a in args {
                    self.expr(a, record);
                }
            }
            ExprKind::Normalise(n) => self.normalise(n),
            ExprKind::Rank(spec) => self.rank_spec(spec, true),
            ExprKind::Collection(c) => {
                self.reference(&c.list.name, &c.list.loc);
                if let Some(filter) = &c.filter {
                    let fields = self.fields.get(&c.list.name).cloned().unwrap_or_default();
                    self.expr(filter, Some(&fields));
                }
            }
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i, record);
                }
            }
            ExprKind::Project(list, _) => self.reference(&list.name, &list.loc),
            ExprKind::Audit(a) => {
                for column in a.names() {
                    self.reference(&column.name, &column.loc);
                }
                if let Some(c) = a.condition() {
                    self.expr(c, record);
                }
            }
        }
    }
}
