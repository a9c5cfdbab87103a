//! The language server on hostile documents (issue 16): every broken rule file of
//! `tests/broken/`, the shipped rule files cut and mutated, and the deep and odd texts of
//! the hostile corpus are analysed, and at positions all through each document hover, go
//! to definition, references, rename, completion, formatting, the outline and the test
//! lenses answer — none panics.
#![cfg(feature = "lsp")]

use std::path::{Path, PathBuf};

use chiso::lsp::features;
use chiso::lsp::position::LineIndex;
use chiso::lsp::workspace::Workspace;
use chiso::source::Source;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents: broken files, shipped files cut at many places, odd texts.
fn documents() -> Vec<String> {
    let mut docs = Vec::new();
    for dir in [
        "tests/broken",
        "rules/it-staffing",
        "rules/ict-index/2019",
        "rules/published-audit",
    ] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "chiso") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Cut mid-token, as an author's half-typed line is.
                for cut in [text.len() / 3, text.len() / 2, text.len() * 4 / 5] {
                    let mut end = cut;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    docs.push(text[..end].to_string());
                }
                docs.push(text);
            }
        }
    }
    let header = "methodology \"D\" version 1\ninput a: number\n";
    docs.push(format!(
        "{header}indicator b = {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    ));
    docs.push(format!(
        "{header}indicator b = {}0\n",
        "if a > 1 then 1 else ".repeat(3000)
    ));
    docs.push(format!(
        "{header}input \u{111}ie\u{302}\u{309}m: number\nrule r require \u{111}i\u{1ec3}m > 0\n"
    ));
    docs.push(format!(
        "{header}rule r require a > 0 message \"{{a\u{0}}} \u{1b}[31m\"\n"
    ));
    docs.push("\u{feff}".to_string() + header);
    docs.push(String::new());
    docs.push("\n\n\r\n\t".to_string());
    docs
}

#[test]
fn every_feature_answers_anywhere_in_a_hostile_document() {
    let dir = std::env::temp_dir().join(format!("chiso-lsp-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path: &Path = &dir.join("doc.chiso");
    let uri = features::uri(path).unwrap();
    let mut answered = 0usize;
    for text in documents() {
        let mut workspace = Workspace::default();
        workspace.set(path.to_path_buf(), text.clone());
        let analysis = workspace.analyse(path);
        let source = Source::new(path.display().to_string(), text.as_str());
        let _ = features::format(&source);
        let _ = features::symbols(&source);
        let _ = features::lenses(&source, &uri);
        let index = LineIndex::new(&text);
        let step = (text.len() / 60).max(1);
        let mut offset = 0;
        while offset <= text.len() {
            // Editors send positions anywhere, also inside a character.
            let position = index.position(offset);
            let back = index.offset(position);
            assert!(back <= text.len());
            let _ = features::hover(&analysis, path, offset);
            let _ = features::definition(&analysis, path, offset);
            let _ = features::references(&analysis, path, offset, true);
            let _ = features::rename(&analysis, path, offset, "renamed");
            let _ = features::completion(&analysis, &text, offset, &[]);
            answered += 1;
            offset += step;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(answered > 1000, "{answered}");
}
