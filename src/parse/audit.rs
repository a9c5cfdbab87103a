//! Syntax of the constructs that audit published tables: presence of an input, the
//! number of units, ranks read from printed values as intervals, and an input's declared
//! rounding.

use pest::iterators::Pair;

use super::ast::{Expr, Ident, Rounding};
use super::{Lower, Rule};

/// An auditing expression (`ExprKind::Audit`).
#[derive(Debug, Clone, PartialEq)]
pub enum AuditExpr {
    /// `x is present` (`present` true) or `x is missing`; `previous x is …` asks of the
    /// previous year's data.
    Presence {
        /// The input (or, with `previous`, the input, indicator or score).
        input: Ident,
        /// `present` was written (else `missing`).
        present: bool,
        /// `previous` was written.
        previous: bool,
    },
    /// `previous x`: the unit's value of `x` in the previous year's data.
    Previous {
        /// The input, indicator or score.
        name: Ident,
    },
    /// `change of x in points` / `change of x in percent of previous`.
    Change {
        /// The input, indicator or score.
        name: Ident,
        /// `in percent of previous` (else `in points`).
        percent: bool,
    },
    /// `count of units [where <condition>]`.
    UnitCount {
        /// Only units meeting it are counted.
        filter: Option<Expr>,
    },
    /// `best rank of x` / `worst rank of x`: the range of competition ranks the printed
    /// values allow.
    RankBound {
        /// `best` (else `worst`).
        best: bool,
        /// The printed values.
        column: Ident,
        /// Lowest value ranks first.
        ascending: bool,
        /// The cohort condition; all units when absent.
        cohort: Option<Expr>,
    },
    /// `printed_rank is rank of x`: the printed rank is possible for the printed values.
    RankCheck {
        /// The printed ranks.
        rank: Ident,
        /// The printed values.
        column: Ident,
        /// Lowest value ranks first.
        ascending: bool,
        /// The cohort condition; all units when absent.
        cohort: Option<Expr>,
    },
}

impl AuditExpr {
    /// The `among` / `where` condition, if any.
    pub fn condition(&self) -> Option<&Expr> {
        match self {
            AuditExpr::Presence { .. } | AuditExpr::Previous { .. } | AuditExpr::Change { .. } => {
                None
            }
            AuditExpr::UnitCount { filter } => filter.as_ref(),
            AuditExpr::RankBound { cohort, .. } | AuditExpr::RankCheck { cohort, .. } => {
                cohort.as_ref()
            }
        }
    }

    /// The names whose values of this year it reads directly (besides its condition):
    /// what it depends on. `previous x` reads last year's `x`, not this year's.
    pub fn columns(&self) -> Vec<&Ident> {
        match self {
            AuditExpr::Presence { previous: true, .. } | AuditExpr::Previous { .. } => Vec::new(),
            AuditExpr::Presence { input, .. } => vec![input],
            AuditExpr::Change { name, .. } => vec![name],
            AuditExpr::UnitCount { .. } => Vec::new(),
            AuditExpr::RankBound { column, .. } => vec![column],
            AuditExpr::RankCheck { rank, column, .. } => vec![rank, column],
        }
    }
}

impl AuditExpr {
    /// Every name written in it (besides its condition), this year's or last year's: what
    /// an editor finds and renames.
    pub fn names(&self) -> Vec<&Ident> {
        match self {
            AuditExpr::Presence { input: name, .. }
            | AuditExpr::Previous { name }
            | AuditExpr::Change { name, .. } => vec![name],
            _ => self.columns(),
        }
    }

    /// The name whose previous-year value it reads, if any.
    pub fn previous(&self) -> Option<&Ident> {
        match self {
            AuditExpr::Presence {
                input,
                previous: true,
                ..
            } => Some(input),
            AuditExpr::Previous { name } | AuditExpr::Change { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// The name of the hidden input slot holding last year's value of `name`.
pub fn previous_slot_name(name: &str) -> String {
    format!("previous {name}")
}

/// The rounding named by a `rounding` pair.
pub(super) fn rounding(text: &str) -> Rounding {
    match text {
        "half-even" => Rounding::HalfEven,
        "down" => Rounding::Down,
        _ => Rounding::HalfUp,
    }
}

impl Lower {
    /// `rank_check`, `rank_bound`, `unit_count` or `presence`.
    pub(super) fn audit(&mut self, pair: Pair<'_, Rule>) -> AuditExpr {
        self.audit_parts(pair.as_rule(), pair.into_inner())
    }

    /// The auditing expression `rule` made of `parts` (the pairs inside a `rank_check`,
    /// `presence`, … or the name and tail of a `name_expr` standing for one).
    pub(super) fn audit_parts<'i>(
        &mut self,
        rule: Rule,
        parts: impl Iterator<Item = Pair<'i, Rule>>,
    ) -> AuditExpr {
        let mut idents = Vec::new();
        let mut ascending = false;
        let mut condition = None;
        let mut flag = false;
        // `previous` in a presence test; `in percent` in a change.
        let mut previous = false;
        // Keywords kept: `best`/`worst` and `present`/`missing` carry meaning.
        for p in parts {
            match p.as_rule() {
                Rule::ident => idents.push(self.ident(&p)),
                Rule::order => ascending = p.as_str() == "ascending",
                Rule::cohort => condition = self.cohort(p),
                Rule::expr => condition = Some(self.expr(p)),
                Rule::kw_best | Rule::kw_present => flag = true,
                Rule::kw_previous if rule == Rule::presence => previous = true,
                Rule::kw_percent => previous = true,
                _ => {}
            }
        }
        let mut idents = idents.into_iter();
        let fallback = || Ident {
            name: String::new(),
            loc: self.placeholder_loc(),
        };
        let mut next = || idents.next().unwrap_or_else(fallback);
        match rule {
            Rule::presence => AuditExpr::Presence {
                input: next(),
                present: flag,
                previous,
            },
            Rule::previous_value => AuditExpr::Previous { name: next() },
            Rule::change_expr => AuditExpr::Change {
                name: next(),
                percent: previous,
            },
            Rule::unit_count => AuditExpr::UnitCount { filter: condition },
            Rule::rank_bound => AuditExpr::RankBound {
                best: flag,
                column: next(),
                ascending,
                cohort: condition,
            },
            _ => AuditExpr::RankCheck {
                rank: next(),
                column: next(),
                ascending,
                cohort: condition,
            },
        }
    }
}

/// The canonical text of an auditing expression (`fmt`).
pub fn format(a: &AuditExpr, expr: impl Fn(&Expr) -> String) -> String {
    let tail = |ascending: bool, cohort: &Option<Expr>| {
        let mut out = String::new();
        if ascending {
            out.push_str(" ascending");
        }
        if let Some(c) = cohort {
            out.push_str(" among ");
            out.push_str(&expr(c));
        }
        out
    };
    match a {
        AuditExpr::Presence {
            input,
            present,
            previous,
        } => format!(
            "{}{} is {}",
            if *previous { "previous " } else { "" },
            input.name,
            if *present { "present" } else { "missing" }
        ),
        AuditExpr::Previous { name } => format!("previous {}", name.name),
        AuditExpr::Change { name, percent } => format!(
            "change of {} in {}",
            name.name,
            if *percent {
                "percent of previous"
            } else {
                "points"
            }
        ),
        AuditExpr::UnitCount { filter } => match filter {
            Some(f) => format!("count of units where {}", expr(f)),
            None => "count of units".into(),
        },
        AuditExpr::RankBound {
            best,
            column,
            ascending,
            cohort,
        } => format!(
            "{} rank of {}{}",
            if *best { "best" } else { "worst" },
            column.name,
            tail(*ascending, cohort)
        ),
        AuditExpr::RankCheck {
            rank,
            column,
            ascending,
            cohort,
        } => format!(
            "{} is rank of {}{}",
            rank.name,
            column.name,
            tail(*ascending, cohort)
        ),
    }
}

impl Rounding {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::HalfEven => "half-even",
            Rounding::Down => "down",
        }
    }
}
