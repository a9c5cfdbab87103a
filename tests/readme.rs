//! The README's language tour is a real rule file: it must keep compiling.

#[test]
fn readme_language_tour_compiles_without_warnings() {
    let readme = include_str!("../README.md");
    let start = readme.find("```text\n# Comments").expect("the tour block") + "```text\n".len();
    let end = start + readme[start..].find("```").expect("end of the tour block");
    let rules = chiso::RuleSet::from_text("README.md", &readme[start..end])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(rules.warnings().is_empty(), "{:?}", rules.warnings());
    assert_eq!(rules.program().rules.len(), 2);
}
