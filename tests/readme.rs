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

#[test]
fn readme_composite_index_block_compiles() {
    let readme = include_str!("../README.md");
    let heading = readme.find("### Composite indices").expect("the section");
    let start =
        heading + readme[heading..].find("```text\n").expect("its block") + "```text\n".len();
    let end = start + readme[start..].find("```").expect("end of the block");
    // The block shows constructs; the inputs it reads are declared here.
    let declarations = "methodology \"README\" version 1\n\
        input fixed_phones_per_100: number\ninput cost: number\ninput literacy: percent\n\
        input x: number\ninput kind: text\ninput region: text\ninput n_internet: number\n\
        input n_households: number\ninput a: number\ninput b: number\ninput computer_points: number\n\
        input wan_points: number\ninput ict_index: number\n";
    let text = format!("{declarations}{}", &readme[start..end]);
    let rules = chiso::RuleSet::from_text("README.md", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules.program().ranks.len(), 2);
    assert!(rules.program().sensitivity.is_some());
}
