//! Syntax errors in the author's terms: what pest expected, described as constructs and
//! keywords of the rule language rather than grammar rules, with the text found.

use std::sync::Arc;

use pest::Parser;

use super::{Grammar, Rule};
use crate::diagnostic::Diagnostic;
use crate::source::{Loc, Source};

pub(super) fn syntax_error(source: &Arc<Source>, err: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let found = found_at(&source.text, pos);
    let loc = Loc {
        source: Arc::clone(source),
        range: pos..pos + found.len().max(usize::from(pos < source.text.len())),
    };
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            let declarations = [
                "`constant`",
                "`holidays`",
                "`test`",
                "`remove`",
                "`replace`",
                "`hooks`",
                "`indicator`",
                "`input`",
                "`rank`",
                "`rule`",
                "`score`",
                "`sensitivity`",
            ];
            if names.iter().filter(|n| declarations.contains(n)).count() >= 3 {
                // Any declaration may follow; listing them all hides what was expected here.
                names.retain(|n| !declarations.contains(n));
                let at = names
                    .iter()
                    .position(|n| *n == "end of file")
                    .unwrap_or(names.len());
                names.insert(at, "the next declaration");
            }
            if names.contains(&"an expression") {
                // Whatever can start an expression is summed up as "an expression".
                let operand = [
                    "`(`",
                    "`[`",
                    "a date such as 2022-08-15",
                    "`if`",
                    "`rank`",
                    "`true` or `false`",
                    "a name",
                    "a number",
                    "a quoted string",
                ];
                names.retain(|n| !operand.contains(n));
            }
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found_text = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_or(&expected))
    };
    let label = if expected.is_empty() {
        "not allowed here".to_string()
    } else {
        format!("expected {}", join_or(&expected))
    };
    let mut diag = Diagnostic::error(message, &loc).with_label(label);
    if is_reserved(found) && expected.contains(&"a name") {
        diag = diag.with_help(format!(
            "`{found}` is a reserved word and cannot be used as a name"
        ));
    }
    diag
}

fn is_reserved(word: &str) -> bool {
    Grammar::parse(Rule::reserved, word)
        .is_ok_and(|mut p| p.next().is_some_and(|p| p.as_str() == word))
}

/// The word (or single character) at `pos`.
fn found_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let word_len: usize = rest
        .char_indices()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .map(|(_, c)| c.len_utf8())
        .sum();
    if word_len > 0 {
        rest.get(..word_len).unwrap_or("")
    } else {
        rest.chars()
            .next()
            .map_or("", |c| rest.get(..c.len_utf8()).unwrap_or(""))
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How an author would name what the grammar expected. `None` hides internal rules.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::header | Rule::kw_methodology => "`methodology`",
        Rule::kw_version | Rule::version => "`version` and a version",
        Rule::unit_clause | Rule::kw_unit => "`unit`",
        Rule::source_clause | Rule::kw_source => "`source`",
        Rule::constant_decl | Rule::kw_constant => "`constant`",
        Rule::input_decl | Rule::kw_input => "`input`",
        Rule::indicator_decl | Rule::kw_indicator => "`indicator`",
        Rule::score_decl | Rule::kw_score => "`score`",
        Rule::rule_decl | Rule::kw_rule => "`rule`",
        Rule::type_name => "a type (number, integer, decimal, percent, boolean, text)",
        Rule::compare_bound | Rule::compare_op => "a bound such as `>= 0`",
        Rule::range_bound | Rule::kw_in => "a range such as `in 0 .. 1`",
        Rule::required => "`required`",
        Rule::optional => "`optional`",
        Rule::default_clause | Rule::kw_default => "`default`",
        Rule::from_clause | Rule::kw_from => "`from`",
        Rule::label => "a label",
        Rule::display_clause | Rule::kw_display => "`display`",
        Rule::aggregate | Rule::kw_mean => "`mean of`",
        Rule::weighted => "`weighted mean of`",
        Rule::kw_of => "`of`",
        Rule::member => "a name",
        Rule::kw_weight => "`weight`",
        Rule::severity_clause | Rule::kw_severity => "`severity`",
        Rule::severity => "a severity (error, warning, info)",
        Rule::when_clause | Rule::kw_when => "`when`",
        Rule::require_clause | Rule::kw_require => "`require`",
        Rule::message_clause | Rule::kw_message => "`message`",
        Rule::cite_clause | Rule::kw_cite => "`cite`",
        Rule::expr | Rule::if_expr => "an expression",
        Rule::op_approx
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_ne
        | Rule::op_eq
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_pow
        | Rule::op_and
        | Rule::op_or
        | Rule::no_operator => "an operator",
        Rule::op_neg | Rule::op_not => "an expression",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_if => "`if`",
        Rule::percent | Rule::unsigned_number | Rule::signed_number | Rule::integer => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::string => "a quoted string",
        Rule::ident => "a name",
        Rule::rank_decl | Rule::kw_rank => "`rank`",
        Rule::sensitivity_decl | Rule::kw_sensitivity => "`sensitivity`",
        Rule::normalise_expr | Rule::kw_normalise | Rule::rank_expr => "an expression",
        Rule::method
        | Rule::m_max
        | Rule::m_minmax
        | Rule::m_zscore
        | Rule::m_percentile
        | Rule::m_rank
        | Rule::m_goalposts
        | Rule::m_distance => {
            "a method (max, minmax, zscore, percentile, rank, goalposts, distance to)"
        }
        Rule::kw_by => "`by`",
        Rule::direction | Rule::higher | Rule::lower => "`higher is better` or `lower is better`",
        Rule::cohort | Rule::kw_among => "`among`",
        Rule::order => "`ascending` or `descending`",
        Rule::rounded | Rule::kw_rounded => "`rounded`",
        Rule::kw_as => "`as`",
        Rule::mean_kind | Rule::arithmetic | Rule::geometric | Rule::harmonic | Rule::power => {
            "a kind of mean (arithmetic, geometric, harmonic, power p)"
        }
        Rule::minimum => "`minimum of`",
        Rule::total => "`sum of`",
        Rule::missing_clause | Rule::kw_missing => "`missing`",
        Rule::exclude | Rule::zero | Rule::fail_missing => "`exclude`, `zero` or `error`",
        Rule::rescale_clause | Rule::kw_rescaled => "`rescaled by`",
        Rule::weights_vary | Rule::kw_weights => "`weights vary`",
        Rule::alternatives | Rule::kw_alternatives => "`alternatives`",
        Rule::rounding => "a rounding (half-up, half-even, down)",
        Rule::hooks_decl | Rule::kw_hooks => "`hooks`",
        Rule::test_decl | Rule::kw_test => "`test`",
        Rule::extends_clause | Rule::kw_extends => "`extends`",
        Rule::remove_decl | Rule::kw_remove => "`remove`",
        Rule::replace_decl | Rule::kw_replace => "`replace`",
        Rule::decl_kind => "what to remove (constant, input, indicator, score, rule, rank)",
        Rule::given_clause | Rule::kw_given => "`given`",
        Rule::expect_clause | Rule::kw_expect => "`expect`",
        Rule::assignment => "a field such as `staff_total = 95`",
        Rule::expect_value | Rule::kw_value => "`value`",
        Rule::expect_rank => "`rank`",
        Rule::expect_finding => "a rule id",
        Rule::status => "a status (pass, fail, error, skip)",
        Rule::tolerance | Rule::kw_within => "`within`",
        Rule::precision => "`at … decimals`",
        Rule::kw_decimals => "`decimals`",
        Rule::hook_name | Rule::kw_hook => "`hook`",
        Rule::limits_clause | Rule::kw_limits => "`limits`",
        Rule::limit | Rule::limit_name => {
            "a limit (operations, calls, depth, string, array, map, milliseconds)"
        }
        Rule::kw_is => "`is`",
        Rule::kw_better => "`better`",
        Rule::kw_to => "`to`",
        Rule::kw_at => "`at least`",
        Rule::colon => "`:`",
        Rule::dot => "`.`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::list_type | Rule::kw_list => "`list of`",
        Rule::record_type | Rule::kw_record => "`record {`",
        Rule::field_decl => "a field such as `level: integer`",
        Rule::kw_where => "`where`",
        Rule::date => "a date such as 2022-08-15",
        Rule::holidays_decl | Rule::kw_holidays => "`holidays`",
        Rule::dated_clause | Rule::kw_dated => "`dated by`",
        Rule::in_force_clause | Rule::kw_in_force => "`in force from`",
        Rule::kw_until => "`until`",
        Rule::target_clause => "`by` a target year",
        Rule::collection | Rule::collection_fn | Rule::list_literal => "an expression",
        Rule::equals => "`=`",
        Rule::comma => "`,`",
        Rule::dots => "`..`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::slash => "`/`",
        _ => return None,
    })
}

pub(super) fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::colon
            | Rule::equals
            | Rule::comma
            | Rule::dots
            | Rule::lparen
            | Rule::rparen
            | Rule::slash
            | Rule::kw_methodology
            | Rule::kw_version
            | Rule::kw_unit
            | Rule::kw_key
            | Rule::kw_source
            | Rule::kw_constant
            | Rule::kw_input
            | Rule::kw_in
            | Rule::kw_default
            | Rule::kw_from
            | Rule::kw_indicator
            | Rule::kw_display
            | Rule::kw_score
            | Rule::kw_mean
            | Rule::kw_of
            | Rule::kw_weight
            | Rule::kw_rule
            | Rule::kw_severity
            | Rule::kw_when
            | Rule::kw_require
            | Rule::kw_message
            | Rule::kw_cite
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_normalise
            | Rule::kw_by
            | Rule::kw_goalposts
            | Rule::kw_distance
            | Rule::kw_to
            | Rule::kw_is
            | Rule::kw_better
            | Rule::kw_among
            | Rule::kw_rank
            | Rule::kw_rounded
            | Rule::kw_as
            | Rule::kw_power
            | Rule::kw_missing
            | Rule::kw_at
            | Rule::kw_least
            | Rule::kw_rescaled
            | Rule::kw_sensitivity
            | Rule::kw_weights
            | Rule::kw_vary
            | Rule::kw_alternatives
            | Rule::kw_hooks
            | Rule::kw_hook
            | Rule::kw_limits
            | Rule::kw_test
            | Rule::kw_given
            | Rule::kw_expect
            | Rule::kw_value
            | Rule::kw_within
            | Rule::kw_decimals
            | Rule::kw_extends
            | Rule::kw_remove
            | Rule::kw_replace
            | Rule::kw_list
            | Rule::kw_holidays
            | Rule::kw_dated
            | Rule::kw_in_force
            | Rule::kw_until
            | Rule::kw_record
            | Rule::kw_where
            | Rule::dot
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lbracket
            | Rule::rbracket
    )
}
