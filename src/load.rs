//! Why a rule set could not be loaded ([`LoadError`]), and which files on disk are a rule
//! set's: its `.chiso` files, found in a file, a folder or a tree of folders.
//!
//! Below everything that reads rule files ([`crate::files`], [`crate::access`], `extends`,
//! [`crate::ruleset`]); re-exported from [`crate::ruleset`].

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// The file extension of rule files.
pub const RULE_FILE_EXTENSION: &str = "chiso";

/// Why a rule set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A folder holds no rule files.
    #[error("no `.chiso` rule files in `{}`", path.display())]
    NoRuleFiles {
        /// The folder.
        path: PathBuf,
    },
    /// The rule files have errors.
    #[error("{}", render_all(diagnostics))]
    Invalid {
        /// Every error and warning found.
        diagnostics: Vec<Diagnostic>,
    },
}

fn render_all(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(Diagnostic::render)
        .collect::<Vec<_>>()
        .join("")
}

/// A reading error about `path`.
fn io_error(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn is_rule_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == RULE_FILE_EXTENSION)
}

/// The rule files of a rule set at `path`: the file itself, or the `.chiso` files
/// directly inside the folder, sorted by name.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io_error(path))? {
        let p = entry.map_err(io_error(path))?.path();
        if p.is_file() && is_rule_file(&p) {
            files.push(p);
        }
    }
    non_empty(files, path)
}

/// Sorted paths, or the error that `path` holds no rule files.
fn non_empty(mut found: Vec<PathBuf>, path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    found.sort();
    found.dedup();
    if found.is_empty() {
        return Err(LoadError::NoRuleFiles {
            path: path.to_path_buf(),
        });
    }
    Ok(found)
}

/// Every rule file under `path` (or `path` itself), sorted.
pub fn find_rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    // Each folder is walked once, however many symbolic links lead to it: a link back
    // up the tree is not an endless descent.
    let mut walked = std::collections::HashSet::new();
    while let Some(dir) = stack.pop() {
        if !walked.insert(std::fs::canonicalize(&dir).map_err(io_error(&dir))?) {
            continue;
        }
        for entry in std::fs::read_dir(&dir).map_err(io_error(&dir))?.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if is_rule_file(&p) {
                found.push(p);
            }
        }
    }
    non_empty(found, path)
}

/// Every rule set under `path`: a rule file, a folder of rule files, or a tree whose
/// folders that hold rule files are each one rule set. Sorted.
pub fn find_rule_sets(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if std::fs::metadata(path).map_err(io_error(path))?.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let folders = find_rule_files(path)?
        .into_iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    non_empty(folders, path)
}
