//! Python objects → JSON records, exactly: `int` and `decimal.Decimal` keep every digit,
//! a `float` follows the same rule as a float column of a table.

use chiso::arrow::FloatRule;
use chiso::data::Origin;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Why a Python value cannot be read: its place and what is wrong.
pub struct Refused {
    /// Where: `data, [3]`.
    pub origin: Origin,
    /// `` `x` is … ``.
    pub message: String,
}

/// The records of a list of dicts, as JSON values (`source` names them in messages).
pub fn records(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    source: &str,
    floats: FloatRule,
) -> PyResult<Result<Vec<serde_json::Value>, Refused>> {
    let decimal = py.import("decimal")?.getattr("Decimal")?;
    let mut out = Vec::new();
    for (index, item) in items.try_iter()?.enumerate() {
        let item = item?;
        let origin = Origin {
            file: source.to_string(),
            position: format!("[{index}]"),
        };
        let Ok(dict) = item.cast::<PyDict>() else {
            let kind = item.get_type().name()?;
            return Ok(Err(Refused {
                origin,
                message: format!("a record must be a dict of field values, found a `{kind}`"),
            }));
        };
        let mut object = serde_json::Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Ok(Err(Refused {
                    origin,
                    message: format!("field names must be text, found `{}`", key.repr()?),
                }));
            };
            let key = key.to_cow()?.into_owned();
            match json(&value, &decimal, floats)? {
                Ok(v) => {
                    object.insert(key, v);
                }
                Err(message) => {
                    return Ok(Err(Refused {
                        origin,
                        message: format!("`{key}` {message}"),
                    }));
                }
            }
        }
        out.push(serde_json::Value::Object(object));
    }
    Ok(Ok(out))
}

/// A decimal text as a JSON number (every digit kept).
fn number(text: String) -> serde_json::Value {
    match text.parse::<serde_json::Number>() {
        Ok(n) => serde_json::Value::Number(n),
        Err(_) => serde_json::Value::String(text),
    }
}

/// One Python value as JSON; `Err` with what is wrong when chiso does not read it.
fn json(
    value: &Bound<'_, PyAny>,
    decimal: &Bound<'_, PyAny>,
    floats: FloatRule,
) -> PyResult<Result<serde_json::Value, String>> {
    if value.is_none() {
        return Ok(Ok(serde_json::Value::Null));
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Ok(serde_json::Value::Bool(b.is_true())));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(Ok(number(value.str()?.to_cow()?.into_owned())));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(float(f.value(), floats));
    }
    if value.is_instance(decimal)? {
        if !value.call_method0("is_finite")?.is_truthy()? {
            let shown = value.str()?;
            return Ok(Err(format!(
                "is the decimal {shown}, which is not a number chiso reads"
            )));
        }
        // `f`: plain digits, never an exponent (`Decimal("1E-7")` is 0.0000001).
        let text = value.call_method1("__format__", ("f",))?;
        return Ok(Ok(number(text.str()?.to_cow()?.into_owned())));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Ok(serde_json::Value::String(s.to_cow()?.into_owned())));
    }
    if let Ok(dt) = value.cast::<PyDateTime>() {
        let midnight = dt.getattr("hour")?.extract::<u32>()? == 0
            && dt.getattr("minute")?.extract::<u32>()? == 0
            && dt.getattr("second")?.extract::<u32>()? == 0
            && dt.getattr("microsecond")?.extract::<u32>()? == 0
            && dt.getattr("tzinfo")?.is_none();
        if !midnight {
            return Ok(Err(format!(
                "is the date and time {}; chiso reads dates (give a `datetime.date`)",
                dt.str()?
            )));
        }
        let date = dt.call_method0("date")?.call_method0("isoformat")?;
        return Ok(Ok(serde_json::Value::String(
            date.str()?.to_cow()?.into_owned(),
        )));
    }
    if value.is_instance_of::<PyDate>() {
        let date = value.call_method0("isoformat")?;
        return Ok(Ok(serde_json::Value::String(
            date.str()?.to_cow()?.into_owned(),
        )));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut object = serde_json::Map::new();
        for (k, v) in dict.iter() {
            let Ok(k) = k.cast::<PyString>() else {
                return Ok(Err(format!(
                    "has a field name that is not text: `{}`",
                    k.repr()?
                )));
            };
            match json(&v, decimal, floats)? {
                Ok(v) => {
                    object.insert(k.to_cow()?.into_owned(), v);
                }
                Err(m) => return Ok(Err(format!("{m} (in field `{}`)", k.to_cow()?))),
            }
        }
        return Ok(Ok(serde_json::Value::Object(object)));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            match json(&item?, decimal, floats)? {
                Ok(v) => items.push(v),
                Err(m) => return Ok(Err(format!("{m} (item {i})"))),
            }
        }
        return Ok(Ok(serde_json::Value::Array(items)));
    }
    // numpy integers and other integer-like objects.
    if value.hasattr("__index__")?
        && let Ok(i) = value.call_method0("__index__")
    {
        return Ok(Ok(number(i.str()?.to_cow()?.into_owned())));
    }
    let kind = value.get_type().name()?;
    Ok(Err(format!(
        "is a `{kind}`, which chiso does not read: give numbers as `int` or `decimal.Decimal`, text as `str`, true/false as `bool`, dates as `datetime.date`, collections as lists of dicts"
    )))
}

/// A float as a float column of a table would be read: whole floats exactly, NaN as
/// missing, others only when the caller asked for their shortest decimal.
fn float(value: f64, rule: FloatRule) -> Result<serde_json::Value, String> {
    if value.is_nan() {
        return Ok(serde_json::Value::Null);
    }
    if value.is_infinite() {
        return Err(format!(
            "is the float {value}, which is not a number chiso reads"
        ));
    }
    if value.fract() == 0.0 {
        return Ok(number(format!("{value:.0}")));
    }
    match rule {
        FloatRule::Shortest => Ok(number(value.to_string())),
        FloatRule::WholeOnly => Err(format!(
            "is the binary float {value}, which is not an exact decimal: give decimals as `decimal.Decimal` or text (json.load(..., parse_float=decimal.Decimal) reads them so), or pass floats=\"shortest\" to read floats as their shortest decimal"
        )),
    }
}
