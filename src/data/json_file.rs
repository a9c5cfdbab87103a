//! JSON submissions.

use indexmap::IndexMap;

use super::{DataError, Origin, RawValue, Record};

/// The JSON error as a data error at its line and column.
fn json_error(file: &str, e: &serde_json::Error) -> DataError {
    DataError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

/// One JSON document. serde_json keeps the last of two equal keys; a field written twice
/// (or twice in two Unicode forms) is a mistake in the submission — which value did the
/// province mean? — so it is refused first. Every reader of JSON (files, JSON Lines,
/// streams) parses through here.
pub(crate) fn parse_unique(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde::Deserialize::deserialize(&mut de).map(|UniqueKeys| ())?;
    serde_json::from_str(text)
}

pub(super) fn records(file: &str, text: &str, key: &str) -> Result<Vec<Record>, DataError> {
    let value = parse_unique(text).map_err(|e| json_error(file, &e))?;
    let (items, prefix) = match value {
        serde_json::Value::Array(items) => (items, ""),
        serde_json::Value::Object(mut map) => match map.shift_remove("units") {
            Some(serde_json::Value::Array(items)) => (items, "units"),
            Some(_) => {
                return Err(DataError::Shape {
                    file: file.to_string(),
                    message: "`units` must be an array of records".into(),
                });
            }
            None => {
                return Err(DataError::Shape {
                    file: file.to_string(),
                    message: "expected an array of records or an object with a `units` array"
                        .into(),
                });
            }
        },
        _ => {
            return Err(DataError::Shape {
                file: file.to_string(),
                message: "expected an array of records or an object with a `units` array".into(),
            });
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let origin = Origin {
            file: file.to_string(),
            position: format!("{prefix}[{index}]"),
        };
        out.push(record(item, origin, key)?);
    }
    Ok(out)
}

/// One JSON record.
pub(super) fn record(
    item: serde_json::Value,
    origin: Origin,
    key: &str,
) -> Result<Record, DataError> {
    let serde_json::Value::Object(map) = item else {
        return Err(DataError::Record {
            message: format!(
                "expected a record (a JSON object), found {}",
                kind_of(&item)
            ),
            origin,
        });
    };
    // Field names in NFC, as the rule file's names are: `điểm` typed on two systems is one
    // field.
    let fields: IndexMap<String, RawValue> = map
        .into_iter()
        .map(|(k, v)| (super::names::nfc(&k), raw(v)))
        .collect();
    Record::new(fields, origin, key)
}

pub(super) fn raw(v: serde_json::Value) -> RawValue {
    match v {
        serde_json::Value::Null => RawValue::Null,
        serde_json::Value::Bool(b) => RawValue::Bool(b),
        serde_json::Value::Number(n) => RawValue::Number(n.to_string()),
        serde_json::Value::String(s) => RawValue::Text(s),
        nested => RawValue::Nested(Box::new(nested)),
    }
}

/// A JSON document walked only to refuse an object that names one key twice.
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_none<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen: Vec<(String, usize)> = Vec::new();
        let mut index = 0;
        while let Some(key) = map.next_key::<String>()? {
            let key = super::names::nfc(&key);
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` is written twice in one object (as its field {} and {}); which value is meant?",
                    first + 1,
                    index + 1
                )));
            }
            map.next_value::<UniqueKeys>()?;
            seen.push((key, index));
            index += 1;
        }
        Ok(self)
    }
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The record of line `line` of a JSON Lines file (one JSON object a line, as in a JSON
/// array), positioned `line N`; `None` when the object holds no record.
pub(crate) fn line_record(
    file: &str,
    line: usize,
    text: &str,
    key: &str,
) -> Result<Option<Record>, DataError> {
    // The error's line is the line within `text`, always 1: the file's line is `line`.
    let value: serde_json::Value = parse_unique(text).map_err(|e| match json_error(file, &e) {
        DataError::Json {
            file,
            column,
            message,
            ..
        } => DataError::Json {
            file,
            line,
            column,
            message,
        },
        other => other,
    })?;
    let position = format!("line {line}");
    let record = match super::Dataset::from_values(file, [value], key) {
        Ok(data) => data.records.into_iter().next(),
        Err(DataError::Record {
            mut origin,
            message,
        }) => {
            origin.position = position;
            return Err(DataError::Record { origin, message });
        }
        Err(other) => return Err(other),
    };
    Ok(record.map(|mut r| {
        r.origin.position = position;
        r
    }))
}

/// Every record of a JSON Lines file held in memory (blank lines skipped).
pub(crate) fn lines_records(file: &str, text: &str, key: &str) -> Result<Vec<Record>, DataError> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_text = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line_text.trim().is_empty() {
            continue;
        }
        records.extend(line_record(file, i + 1, line_text, key)?);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_written_digits() {
        let recs = records("t.json", r#"[{"unit": "A", "x": 0.590, "y": 1e2}]"#, "unit").unwrap();
        assert_eq!(recs[0].fields["x"], RawValue::Number("0.590".into()));
        assert_eq!(recs[0].fields["y"], RawValue::Number("1e+2".into()));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = records("t.json", "[\n {\"unit\": \"A\",}\n]", "unit").unwrap_err();
        assert!(err.to_string().starts_with("t.json:2:"), "{err}");
    }

    #[test]
    fn a_key_written_twice_is_an_error_naming_both() {
        let err = records(
            "t.json",
            "[{\"unit\": \"A\", \"x\": 1,\n  \"y\": 2, \"x\": 3}]",
            "unit",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.json:2:13: invalid JSON: the key `x` is written twice in one object (as its field 2 and 4); which value is meant?"
        );
        // Numbers with every digit (arbitrary precision) still pass the walk.
        assert!(
            records(
                "t.json",
                r#"[{"unit": "A", "x": 0.1234567890123456789012}]"#,
                "unit"
            )
            .is_ok()
        );
    }

    #[test]
    fn record_without_unit_is_named_by_position() {
        let err = records("t.json", r#"{"units": [{"unit": "A"}, {"x": 1}]}"#, "unit").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.json, units[1]: record has no `unit` field naming its unit"
        );
    }
}
