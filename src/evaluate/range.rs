//! Numbers in the data that are numbers but cannot be held exactly: beyond the decimal
//! range (magnitude above 79,228,162,514,264,337,593,543,950,335, or nonzero digits
//! beyond the 28th decimal place). Saying "expected a number" of `8e28` would be wrong.

use std::sync::Arc;

use super::Fault;

/// The largest magnitude an exact decimal holds.
pub const MAX: &str = "79228162514264337593543950335";

/// The fault of a data value that is a well-formed number outside the decimal range;
/// `None` when `text` is not a number at all.
pub fn beyond(input: &str, field: &str, text: &str) -> Option<Arc<Fault>> {
    let t = text.trim();
    let looks_numeric = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    let v: f64 = t.parse().ok().filter(|v: &f64| v.is_finite())?;
    if !looks_numeric {
        return None;
    }
    // Within the range, a number that still does not parse has too many digits: that is
    // the caller's other message, not this one.
    let why = if v.abs() >= 7.9e28 {
        "too large"
    } else if v != 0.0 && v.abs() < 1e-28 {
        "too small (more than 28 decimal places)"
    } else {
        return None;
    };
    Some(Arc::new(Fault::Invalid {
        input: input.to_string(),
        field: field.to_string(),
        found: format!("{t}, {why}: out of the representable range"),
        expected: format!(
            "a number of magnitude at most {MAX} (about 7.9e28) with at most 28 decimal places (smallest step 1e-28)"
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_beyond_the_range_say_so() {
        for text in ["8e28", "1e-29", "-1e40"] {
            assert!(
                crate::evaluate::parse_decimal(text).is_none(),
                "{text} parses"
            );
            let f = beyond("x", "x", text).unwrap().to_string();
            assert!(f.contains("out of the representable range"), "{f}");
            assert!(f.contains(MAX), "{f}");
        }
        assert!(beyond("x", "x", "abc").is_none());
        assert!(beyond("x", "x", "1,5").is_none());
        assert!(beyond("x", "x", "inf").is_none());
    }
}
