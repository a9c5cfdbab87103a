//! JSON submissions.

use indexmap::IndexMap;

use super::{DataError, Origin, RawValue, Record};

pub(super) fn records(file: &str, text: &str, key: &str) -> Result<Vec<Record>, DataError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| DataError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
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
    let fields: IndexMap<String, RawValue> = map.into_iter().map(|(k, v)| (k, raw(v))).collect();
    Record::new(fields, origin, key)
}

pub(super) fn raw(v: serde_json::Value) -> RawValue {
    match v {
        serde_json::Value::Null => RawValue::Null,
        serde_json::Value::Bool(b) => RawValue::Bool(b),
        serde_json::Value::Number(n) => RawValue::Number(n.to_string()),
        serde_json::Value::String(s) => RawValue::Text(s),
        nested => RawValue::Nested(nested),
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
    fn record_without_unit_is_named_by_position() {
        let err = records("t.json", r#"{"units": [{"unit": "A"}, {"x": 1}]}"#, "unit").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.json, units[1]: record has no `unit` field naming its unit"
        );
    }
}
