//! Unit names as keys: one Unicode form, no invisible characters.
//!
//! The same name typed on two systems often differs in Unicode form ("Sở Y tế" with a
//! precomposed `ở` or with `o` + two combining marks). Every unit name is brought to NFC
//! on the way in (data, rule-file tests, `--explain`, `--previous`), so equal-looking
//! names are equal keys.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `name` in Unicode NFC; borrowed work is skipped when it already is (the common case).
pub fn nfc(name: &str) -> String {
    match is_nfc_quick(name.chars()) {
        IsNormalized::Yes => name.to_string(),
        _ => name.nfc().collect(),
    }
}

/// Brings `name` to NFC where it is not already (no allocation in the common case).
pub fn make_nfc(name: &mut String) {
    if !matches!(is_nfc_quick(name.chars()), IsNormalized::Yes) {
        *name = name.nfc().collect();
    }
}

/// Refuses a unit name holding a control character (NUL, escape, a line break, …).
///
/// Such a name would reach text, CSV and HTML reports raw, where it can forge lines or
/// terminal output; no real unit is named with one, so the record is refused with the
/// character's code point instead of being escaped and judged.
pub fn check_unit_name(name: &str) -> Result<(), String> {
    match name.char_indices().find(|(_, c)| c.is_control()) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "the unit name {name:?} holds the control character U+{:04X} at byte {at}; unit names must be printable",
            c as u32
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_and_nfc_spellings_are_one_name() {
        let nfd = "So\u{31b}\u{309} Y te\u{302}\u{301}";
        assert_ne!(nfd, "Sở Y tế");
        assert_eq!(nfc(nfd), "Sở Y tế");
    }

    #[test]
    fn control_characters_are_refused_with_their_code_point() {
        let err = check_unit_name("A\u{0}B").unwrap_err();
        assert!(err.contains("U+0000 at byte 1"), "{err}");
        assert!(check_unit_name("Tab\there").is_err());
        assert!(check_unit_name("Sở Y tế").is_ok());
    }
}
