//! CSV submissions: a header row of field names, then one row per unit.

use indexmap::IndexMap;

use super::{DataError, Origin, RawValue, Record};

pub(super) fn records(file: &str, text: &str, key: &str) -> Result<Vec<Record>, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| DataError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, csv::Position::line),
        message: e.to_string(),
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = headers.iter().take(i).position(|g| g == h) {
            return Err(DataError::Csv {
                file: file.to_string(),
                line: 1,
                message: format!(
                    "columns {} and {} are both named `{h}`; which one holds the data?",
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    if !headers.iter().any(|h| h == key) {
        return Err(DataError::Shape {
            file: file.to_string(),
            message: format!("the header row has no `{key}` column naming the units"),
        });
    }
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(csv_error)?;
        let line = row.position().map_or(0, csv::Position::line);
        let origin = Origin {
            file: file.to_string(),
            position: format!("row {line}"),
        };
        let fields: IndexMap<String, RawValue> = headers
            .iter()
            .zip(row.iter())
            .map(|(h, cell)| {
                let v = if cell.is_empty() {
                    RawValue::Null
                } else {
                    RawValue::Text(cell.to_string())
                };
                (h.to_string(), v)
            })
            .collect();
        out.push(Record::new(fields, origin, key)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_are_absent() {
        let recs = records("t.csv", "unit,a,b\nX,1,\n", "unit").unwrap();
        assert_eq!(recs[0].fields["a"], RawValue::Text("1".into()));
        assert_eq!(recs[0].fields["b"], RawValue::Null);
        assert_eq!(recs[0].origin.position, "row 2");
    }

    #[test]
    fn ragged_rows_are_errors_with_a_line() {
        let err = records("t.csv", "unit,a\nX,1\nY,1,2\n", "unit").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:3:"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_field() {
        let data = crate::Dataset::from_csv_str("t.csv", "\u{feff}unit,a\nX,1\n", "unit").unwrap();
        assert_eq!(data.records[0].unit, "X");
        let data =
            crate::Dataset::from_json_str("t.json", "\u{feff}[{\"unit\": \"Y\"}]", "unit").unwrap();
        assert_eq!(data.records[0].unit, "Y");
    }

    #[test]
    fn a_column_named_twice_is_an_error_naming_both() {
        let err = records("t.csv", "unit,a,b,a\nX,1,2,3\n", "unit").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:1: invalid CSV: columns 2 and 4 are both named `a`; which one holds the data?"
        );
    }

    #[test]
    fn missing_key_column() {
        let err = records("t.csv", "name,a\nX,1\n", "unit").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: the header row has no `unit` column naming the units"
        );
    }
}
