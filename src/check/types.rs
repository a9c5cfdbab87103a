//! The types of values and the built-in functions, as the checker sees them.

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A number (integer, decimal, percent).
    Number,
    /// `true` / `false`.
    Bool,
    /// Text.
    Text,
    /// A list (a collection input or a list literal).
    List,
    /// A calendar date.
    Date,
    /// Not known because of an earlier error; never reported again.
    Unknown,
}

impl Ty {
    /// How a message names it.
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Number => "a number",
            Ty::Bool => "a true/false value",
            Ty::Text => "text",
            Ty::List => "a list",
            Ty::Date => "a date",
            Ty::Unknown => "unknown",
        }
    }
}

/// The functions formulas can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Smallest argument.
    Min,
    /// Largest argument.
    Max,
    /// Absolute value.
    Abs,
    /// Round half-up to n decimals.
    Round,
    /// Largest whole number not above.
    Floor,
    /// Smallest whole number not below.
    Ceil,
    /// Square root.
    Sqrt,
    /// Sum of the arguments.
    Sum,
    /// Arithmetic mean of the arguments.
    Mean,
    /// `contains_all(list, required)`: every required item is in the list.
    ContainsAll,
    /// `missing(list, required)`: the required items not in the list.
    Missing,
    /// `duplicates(list)`: the items that occur more than once, each listed once.
    Duplicates,
    /// `days_between(a, b)`: calendar days from a to b.
    DaysBetween,
    /// `working_days_between(a, b)`: Monday–Friday days after a up to b, minus `holidays`.
    WorkingDaysBetween,
    /// `weeks_with_fewer(dates, n, from, to)`: the weeks (by their Monday) with fewer than n dates.
    WeeksWithFewer,
    /// `longest_gap(dates)`: the most days between consecutive dates.
    LongestGap,
}

impl Builtin {
    /// Every built-in, for suggestions.
    pub const ALL: [Builtin; 16] = [
        Builtin::Min,
        Builtin::Max,
        Builtin::Abs,
        Builtin::Round,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Sqrt,
        Builtin::Sum,
        Builtin::Mean,
        Builtin::ContainsAll,
        Builtin::Missing,
        Builtin::Duplicates,
        Builtin::DaysBetween,
        Builtin::WorkingDaysBetween,
        Builtin::WeeksWithFewer,
        Builtin::LongestGap,
    ];

    /// Looks a function up by name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Its name in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Abs => "abs",
            Builtin::Round => "round",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Sqrt => "sqrt",
            Builtin::Sum => "sum",
            Builtin::Mean => "mean",
            Builtin::ContainsAll => "contains_all",
            Builtin::Missing => "missing",
            Builtin::Duplicates => "duplicates",
            Builtin::DaysBetween => "days_between",
            Builtin::WorkingDaysBetween => "working_days_between",
            Builtin::WeeksWithFewer => "weeks_with_fewer",
            Builtin::LongestGap => "longest_gap",
        }
    }

    /// Least and most arguments (`None`: no limit).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Builtin::Min | Builtin::Max | Builtin::Sum | Builtin::Mean => (1, None),
            Builtin::Abs | Builtin::Floor | Builtin::Ceil | Builtin::Sqrt => (1, Some(1)),
            Builtin::Round
            | Builtin::ContainsAll
            | Builtin::Missing
            | Builtin::DaysBetween
            | Builtin::WorkingDaysBetween => (2, Some(2)),
            Builtin::WeeksWithFewer => (4, Some(4)),
            Builtin::LongestGap | Builtin::Duplicates => (1, Some(1)),
        }
    }

    /// One line on what it does (editor hover and completion).
    pub fn doc(self) -> &'static str {
        match self {
            Builtin::Min => "the smallest argument",
            Builtin::Max => "the largest argument",
            Builtin::Abs => "the absolute value",
            Builtin::Round => "rounded half away from zero to `decimals` places",
            Builtin::Floor => "the largest whole number not above `x`",
            Builtin::Ceil => "the smallest whole number not below `x`",
            Builtin::Sqrt => "the square root",
            Builtin::Sum => "the sum of the arguments",
            Builtin::Mean => "the arithmetic mean of the arguments",
            Builtin::ContainsAll => "true when every required item is in the list",
            Builtin::Missing => "the required items that are not in the list",
            Builtin::Duplicates => "the items that occur more than once, each listed once",
            Builtin::DaysBetween => "calendar days from the first date to the second",
            Builtin::WorkingDaysBetween => {
                "Monday–Friday days after the first date up to the second, minus declared `holidays`"
            }
            Builtin::WeeksWithFewer => {
                "the weeks (by their Monday) between two dates with fewer than n of the dates"
            }
            Builtin::LongestGap => "the most days between consecutive dates",
        }
    }

    /// A usage line for diagnostics.
    pub fn usage(self) -> &'static str {
        match self {
            Builtin::Min => "min(a, b, …)",
            Builtin::Max => "max(a, b, …)",
            Builtin::Abs => "abs(x)",
            Builtin::Round => "round(x, decimals)",
            Builtin::Floor => "floor(x)",
            Builtin::Ceil => "ceil(x)",
            Builtin::Sqrt => "sqrt(x)",
            Builtin::Sum => "sum(a, b, …)",
            Builtin::Mean => "mean(a, b, …)",
            Builtin::ContainsAll => "contains_all(list, [\"a\", \"b\"])",
            Builtin::Missing => "missing(list, [\"a\", \"b\"])",
            Builtin::Duplicates => "duplicates(services.id)",
            Builtin::DaysBetween => "days_between(from_date, to_date)",
            Builtin::WorkingDaysBetween => "working_days_between(from_date, to_date)",
            Builtin::WeeksWithFewer => "weeks_with_fewer(dates, 2, from_date, to_date)",
            Builtin::LongestGap => "longest_gap(dates)",
        }
    }
}
