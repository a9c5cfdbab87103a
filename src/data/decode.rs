//! Bytes → text: UTF-8 with or without a byte-order mark, UTF-16 with one, or a declared
//! legacy encoding (Windows-1258 for Vietnamese exports), with encoding_rs. [`decode`]
//! turns a whole file into text; [`Decoding`] does the same a buffer at a time for a file
//! read row by row (a stream), with the same encodings, the same errors and the same text.

use std::io::Read;

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8};

use super::DataError;

/// The encoding of a file that starts with `start`, and the length of its byte-order mark:
/// a byte-order mark decides; otherwise `declared` (a WHATWG label) or UTF-8.
fn encoding_of(
    file: &str,
    start: &[u8],
    declared: Option<&str>,
) -> Result<(&'static Encoding, usize), DataError> {
    if let Some(found) = Encoding::for_bom(start) {
        return Ok(found);
    }
    match declared {
        None => Ok((UTF_8, 0)),
        Some(label) => match Encoding::for_label(label.trim().as_bytes()) {
            Some(enc) => Ok((enc, 0)),
            None => Err(DataError::Shape {
                file: file.to_string(),
                message: format!(
                    "unknown encoding `{label}`; expected a label such as `utf-8`, `utf-16le`, `utf-16be` or `windows-1258`"
                ),
            }),
        },
    }
}

/// The text of `bytes`. A byte-order mark decides the encoding; otherwise `declared` (a
/// WHATWG label) or UTF-8. Bytes that are not valid in that encoding are an error naming
/// the byte offset and line; nothing is replaced silently.
pub fn decode(file: &str, bytes: &[u8], declared: Option<&str>) -> Result<String, DataError> {
    let (encoding, bom) = encoding_of(file, bytes, declared)?;
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

/// How many bytes [`Decoding`] reads from its source at a time.
const CHUNK: usize = 1 << 16;

/// A reader of UTF-8 text decoded from `R` as [`decode`] decodes a whole file: the
/// byte-order mark or declared encoding, invalid bytes an error naming offset and line
/// (an `InvalidData` I/O error carrying the [`DataError`]; [`DataError::from_read`] takes
/// it back), Windows-1258 brought to NFC line by line (a line break composes with
/// nothing, so that is the whole text's NFC).
pub(crate) struct Decoding<R> {
    file: String,
    inner: R,
    declared: Option<String>,
    /// Chosen once the first bytes are in.
    decoder: Option<(Decoder, &'static Encoding)>,
    /// Bytes read and not yet decoded.
    raw: Vec<u8>,
    /// Decoded text not yet handed out, from `at`.
    text: Vec<u8>,
    at: usize,
    /// Windows-1258: the decoded text after the last line break, held until its line ends.
    partial: String,
    /// Bytes of the source consumed by the decoder, and line breaks decoded, so far.
    offset: usize,
    lines: usize,
    done: bool,
}

impl<R: Read> Decoding<R> {
    /// Decodes `inner`, named `file` in errors, in `declared` unless a byte-order mark says
    /// otherwise.
    pub(crate) fn new(file: &str, inner: R, declared: Option<&str>) -> Self {
        Decoding {
            file: file.to_string(),
            inner,
            declared: declared.map(str::to_string),
            decoder: None,
            raw: Vec::with_capacity(CHUNK),
            text: Vec::with_capacity(CHUNK * 3),
            at: 0,
            partial: String::new(),
            offset: 0,
            lines: 0,
            done: false,
        }
    }

    /// Reads more of the source into `raw`; false at its end.
    fn read_raw(&mut self) -> std::io::Result<bool> {
        let start = self.raw.len();
        self.raw.resize(start + CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.raw.truncate(start + n.as_ref().map_or(0, |n| *n));
        Ok(n? > 0)
    }

    /// Decodes the next piece of the source into `text`.
    fn fill(&mut self) -> std::io::Result<()> {
        self.text.clear();
        self.at = 0;
        while self.text.is_empty() && !self.done {
            let more = self.read_raw()?;
            let last = !more;
            if self.decoder.is_none() {
                // A byte-order mark is at most 3 bytes: wait for them (or the end).
                if self.raw.len() < 3 && more {
                    continue;
                }
                let (encoding, bom) = encoding_of(&self.file, &self.raw, self.declared.as_deref())
                    .map_err(invalid)?;
                self.raw.drain(..bom);
                self.offset = bom;
                self.decoder = Some((encoding.new_decoder_without_bom_handling(), encoding));
            }
            let Some((decoder, encoding)) = &mut self.decoder else {
                return Ok(());
            };
            let encoding = *encoding;
            let room = decoder
                .max_utf8_buffer_length_without_replacement(self.raw.len())
                .unwrap_or(self.raw.len() * 3 + 16);
            let mut out = vec![0u8; room];
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(&self.raw, &mut out, last);
            out.truncate(written);
            if let DecoderResult::Malformed(bad, after) = result {
                let valid = &out[..];
                let line = self.lines + valid.iter().filter(|b| **b == b'\n').count() + 1;
                return Err(invalid(DataError::Encoding {
                    file: self.file.clone(),
                    offset: self.offset + read - bad as usize - after as usize,
                    line,
                    encoding: encoding.name().to_string(),
                }));
            }
            self.raw.drain(..read);
            self.offset += read;
            self.lines += out.iter().filter(|b| **b == b'\n').count();
            self.done = last;
            // The decoder wrote valid UTF-8.
            let piece = String::from_utf8(out).map_err(|e| invalid_utf8(&self.file, e))?;
            if encoding == encoding_rs::WINDOWS_1258 {
                self.partial.push_str(&piece);
                let end = if last {
                    self.partial.len()
                } else {
                    self.partial.rfind('\n').map_or(0, |i| i + 1)
                };
                let rest = self.partial.split_off(end);
                let whole = std::mem::replace(&mut self.partial, rest);
                self.text
                    .extend_from_slice(super::names::nfc(&whole).as_bytes());
            } else {
                self.text.extend_from_slice(piece.as_bytes());
            }
        }
        Ok(())
    }
}

/// A data error carried through `Read` (see [`DataError::from_read`]).
fn invalid(e: DataError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

fn invalid_utf8(file: &str, e: std::string::FromUtf8Error) -> std::io::Error {
    invalid(DataError::Shape {
        file: file.to_string(),
        message: format!("the decoded text is not UTF-8: {e}"),
    })
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.text.len() {
            self.fill()?;
        }
        let available = &self.text[self.at..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.at += n;
        Ok(n)
    }
}

impl DataError {
    /// The error a read failed with: the [`DataError`] a [`Decoding`] reader carried, or
    /// the I/O error as one about `file`.
    pub(crate) fn from_read(file: &str, e: std::io::Error) -> DataError {
        if e.get_ref().is_some_and(|inner| inner.is::<DataError>()) {
            let kind = e.kind();
            return match e.into_inner().map(|inner| inner.downcast::<DataError>()) {
                Some(Ok(data)) => *data,
                _ => DataError::Io {
                    file: file.to_string(),
                    source: kind.into(),
                },
            };
        }
        DataError::Io {
            file: file.to_string(),
            source: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bytes` through a [`Decoding`] reader fed `step` bytes at a time.
    fn streamed(bytes: &[u8], declared: Option<&str>, step: usize) -> Result<String, DataError> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut text = String::new();
        Decoding::new("t.csv", Trickle(bytes, step), declared)
            .read_to_string(&mut text)
            .map_err(|e| DataError::from_read("t.csv", e))?;
        Ok(text)
    }

    #[test]
    fn streamed_decoding_gives_the_text_and_the_errors_of_decoding_whole() {
        let cases: [(&[u8], Option<&str>); 9] = [
            (b"\xef\xbb\xbfunit,x\nA,1\n", None),
            (b"\xff\xfeu\x00,\x00\n\x00", None),
            (b"\xfe\xff\x00u\x00\n", None),
            (b"unit,x\nHa\xcc,1\nHo\xcc\xa3\n", Some("windows-1258")),
            (b"unit,x\nA\xff,1\n", None),
            (b"unit\nS\xe1\xbb", None),
            (b"\xff\xfea\x00\n\x00\x00\xdc", None),
            (b"a", Some("klingon")),
            ("unit\nSở Y tế\n".as_bytes(), None),
        ];
        for (bytes, declared) in cases {
            let whole = decode("t.csv", bytes, declared).map_err(|e| e.to_string());
            for step in [1, 2, 3, 7, 1 << 16] {
                let piecewise = streamed(bytes, declared, step).map_err(|e| e.to_string());
                assert_eq!(piecewise, whole, "{bytes:?} by {step}");
            }
        }
    }

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
