//! Expressions in the syntax tree: operators, literals, names, calls, collection
//! conditions over a list, and the cohort operations written inside a formula.

use rust_decimal::Decimal;

use super::{Ident, Normalise, RankSpec};
use crate::source::Loc;

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `~=`: agree at published precision.
    Approx,
    /// `and`
    And,
    /// `or`
    Or,
}

impl BinaryOp {
    /// The operator as written in canonical form.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Pow => "^",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Approx => "~=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
        }
    }
}

/// An expression with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it was written.
    pub loc: Loc,
}

impl Expr {
    /// `value op number` with an ordering `op` (`>=`, `>`, `<=`, `<`): the shape of a
    /// target that has a gap and a straight line, as (op, value, threshold).
    pub fn as_threshold(&self) -> Option<(BinaryOp, &Expr, Decimal)> {
        match &self.kind {
            ExprKind::Binary(
                op @ (BinaryOp::Ge | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Lt),
                value,
                threshold,
            ) => match threshold.kind {
                ExprKind::Number(n) => Some((*op, value, n)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal; `40%` is already 0.4.
    Number(Decimal),
    /// A date literal, as days since 1970-01-01.
    Date(i32),
    /// A string literal.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// A reference to a constant, input, indicator or score.
    Name(String),
    /// `-x`, `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(args)`.
    Call(Ident, Vec<Expr>),
    /// `normalise x by …`.
    Normalise(Box<Normalise>),
    /// `rank of x …`.
    Rank(Box<RankSpec>),
    /// An aggregate over a collection.
    Collection(Box<Collection>),
    /// `["a", "b"]`.
    List(Vec<Expr>),
    /// `posts.published`: a field of every element.
    Project(Ident, Ident),
    /// Presence, unit counts and interval ranks (`crate::parse::audit`).
    Audit(Box<crate::parse::audit::AuditExpr>),
}

/// What a collection aggregate computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionOp {
    /// Number of (matching) elements.
    Count,
    /// Matching elements ÷ all elements.
    Share,
    /// Sum of a field.
    Sum,
    /// Mean of a field.
    Mean,
    /// Smallest value of a field.
    Min,
    /// Largest value of a field.
    Max,
    /// Every element matches.
    All,
    /// Some element matches.
    Any,
    /// No element matches.
    None,
}

impl CollectionOp {
    /// As written.
    pub fn keyword(self) -> &'static str {
        match self {
            CollectionOp::Count => "count",
            CollectionOp::Share => "share",
            CollectionOp::Sum => "sum",
            CollectionOp::Mean => "mean",
            CollectionOp::Min => "min",
            CollectionOp::Max => "max",
            CollectionOp::All => "all",
            CollectionOp::Any => "any",
            CollectionOp::None => "none",
        }
    }
}

/// `count(services where level >= 3)`, `sum(posts.views)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The aggregate.
    pub op: CollectionOp,
    /// The collection input.
    pub list: Ident,
    /// The field aggregated (`posts.views`).
    pub field: Option<Ident>,
    /// The condition on elements.
    pub filter: Option<Expr>,
}
