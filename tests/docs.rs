//! Every `chiso` example in `docs/language.md` compiles, is formatted, and its tests pass.

use chiso::RuleSet;

fn blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("```chiso\n") {
        let body = start + "```chiso\n".len();
        let Some(len) = rest[body..].find("```") else {
            break;
        };
        let line = text[..offset + body].matches('\n').count() + 1;
        out.push((line, rest[body..body + len].to_string()));
        offset += body + len;
        rest = &rest[body + len..];
    }
    out
}

#[test]
fn every_example_in_the_language_reference_works() {
    let doc = std::fs::read_to_string("docs/language.md").unwrap();
    let examples = blocks(&doc);
    assert!(examples.len() >= 11, "only {} examples", examples.len());
    let mut tests = 0;
    for (line, text) in examples {
        // Named inside docs/, so relative hook and `extends` paths resolve as written.
        let name = format!("docs/language.md:{line}");
        let rules =
            RuleSet::from_text(&name, &text).unwrap_or_else(|e| panic!("example at {name}:\n{e}"));
        for result in chiso::testing::run(&rules) {
            assert!(result.passed(), "example at {name}: {result}");
            tests += 1;
        }
    }
    assert!(tests >= 10, "only {tests} tests in the examples");
}
