//! Bytes → text: UTF-8 with or without a byte-order mark, UTF-16 with one, or a declared
//! legacy encoding (Windows-1258 for Vietnamese exports), with encoding_rs.

use encoding_rs::{DecoderResult, Encoding, UTF_8};

use super::DataError;

/// The text of `bytes`. A byte-order mark decides the encoding; otherwise `declared` (a
/// WHATWG label) or UTF-8. Bytes that are not valid in that encoding are an error naming
/// the byte offset and line; nothing is replaced silently.
pub fn decode(file: &str, bytes: &[u8], declared: Option<&str>) -> Result<String, DataError> {
    let (encoding, bom) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len),
        None => match declared {
            None => (UTF_8, 0),
            Some(label) => match Encoding::for_label(label.trim().as_bytes()) {
                Some(enc) => (enc, 0),
                None => {
                    return Err(DataError::Shape {
                        file: file.to_string(),
                        message: format!(
                            "unknown encoding `{label}`; expected a label such as `utf-8`, `utf-16le`, `utf-16be` or `windows-1258`"
                        ),
                    });
                }
            },
        },
    };
    let body = &bytes[bom..];
    if encoding == UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(malformed(
                file,
                bom + e.valid_up_to(),
                &body[..e.valid_up_to()],
            )),
        };
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(body.len())
        .unwrap_or(body.len() * 3);
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut text, true);
    match result {
        DecoderResult::InputEmpty => {}
        DecoderResult::Malformed(bad, after) => {
            let offset = read - bad as usize - after as usize;
            let line = text.matches('\n').count() + 1;
            return Err(DataError::Encoding {
                file: file.to_string(),
                offset: bom + offset,
                line,
                encoding: encoding.name().to_string(),
            });
        }
        DecoderResult::OutputFull => {
            return Err(DataError::Shape {
                file: file.to_string(),
                message: "the decoded text did not fit its buffer".into(),
            });
        }
    }
    // Windows-1258 writes Vietnamese tone marks as combining characters: bring the text
    // to the composed form UTF-8 files use, so names and columns compare equal.
    if encoding == encoding_rs::WINDOWS_1258 {
        text = super::names::nfc(&text);
    }
    Ok(text)
}

/// Invalid UTF-8 at `offset`, after the `valid` bytes.
fn malformed(file: &str, offset: usize, valid: &[u8]) -> DataError {
    DataError::Encoding {
        file: file.to_string(),
        offset,
        line: valid.iter().filter(|b| **b == b'\n').count() + 1,
        encoding: UTF_8.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_decide_and_legacy_pages_are_declared() {
        assert_eq!(decode("t", b"\xef\xbb\xbfab", None).unwrap(), "ab");
        assert_eq!(decode("t", b"\xff\xfea\x00b\x00", None).unwrap(), "ab");
        assert_eq!(decode("t", b"\xfe\xff\x00a\x00b", None).unwrap(), "ab");
        // "Hà" in Windows-1258: H, a, combining grave (0xCC).
        assert_eq!(decode("t", b"Ha\xcc", Some("windows-1258")).unwrap(), "Hà");
    }

    #[test]
    fn invalid_bytes_are_named_by_offset_and_line() {
        let err = decode("t.csv", b"unit,x\nA\xff,1\n", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: byte 8 (line 2) is not valid UTF-8; declare the file's encoding (e.g. `--encoding windows-1258`) or save it as UTF-8"
        );
        let err = decode("t.csv", b"\xff\xfea\x00\n\x00\x00\xdc", None).unwrap_err();
        assert!(
            err.to_string().contains("(line 2) is not valid UTF-16LE"),
            "{err}"
        );
        let err = decode("t.csv", b"a", Some("klingon")).unwrap_err();
        assert!(
            err.to_string().contains("unknown encoding `klingon`"),
            "{err}"
        );
    }
}
