//! Which files a rule file may read: the policy behind `extends` and `hooks`.
//!
//! A rule file names two kinds of files: the rule set it `extends` (a folder of `.chiso`
//! files or one `.chiso` file) and its hook scripts (`.rhai` files). Both are read only
//! when, after `..` and symbolic links are resolved, they lie inside the *rule-set root*:
//! by default the folder that holds the loaded rule set's folder, so that the versions of
//! one methodology kept side by side (`2018/`, `2019/`) can extend each other and a variant
//! in a subfolder can extend its parent. Absolute paths are refused; a hook script must be
//! a regular `.rhai` file (not `/dev/zero`), and `extends` reads nothing but `.chiso`
//! files — so a rule file can never make chiso read, or show in a diagnostic, a file that
//! is not a rule file or a script. An embedding program chooses another policy with
//! [`crate::RuleSetBuilder::files`].

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::files::Files;
use crate::load::LoadError;
use crate::source::{Loc, Source};

/// Which files rule files may read besides themselves (`extends`, `hooks`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FileAccess {
    /// Inside the folder that holds the loaded rule set's folder (the default).
    #[default]
    RuleSetRoot,
    /// Inside this folder.
    Within(PathBuf),
    /// Any path, absolute ones too (the program trusts its rule files). The kinds of file
    /// are still checked: `.chiso` for `extends`, a regular `.rhai` file for `hooks`.
    Anywhere,
    /// No file at all: `extends` and `hooks` are diagnostics (rule text from a web form).
    Nothing,
}

/// What a rule file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A rule set it `extends`.
    Extends,
    /// A hook script.
    Script,
}

impl Kind {
    fn what(self) -> &'static str {
        match self {
            Kind::Extends => "the extended rule set",
            Kind::Script => "the hook script",
        }
    }
}

/// The policy resolved for one load: the mode, the root folder, the size bound, and where
/// files are read from.
#[derive(Debug, Clone)]
pub struct Access {
    mode: FileAccess,
    /// The root folder (`RuleSetRoot`, `Within`): canonical on disk, normalised in memory;
    /// `None` when it does not exist.
    root: Option<PathBuf>,
    /// Largest file read, in bytes.
    max_bytes: u64,
    /// The disk, or texts held in memory.
    files: Files,
}

/// The folder a file named `name` is in (empty for a bare file name: the current folder).
pub fn folder_of(name: &str) -> PathBuf {
    Path::new(name)
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

/// The canonical form of a path, the empty path being the current folder: resolved through
/// symbolic links on disk, `.` and `..` taken out in memory (where there are no links).
fn canonical(files: &Files, path: &Path) -> Option<PathBuf> {
    if files.is_memory() {
        return Some(crate::files::normalise(path));
    }
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::fs::canonicalize(path).ok()
}

impl Access {
    /// The policy for the rule set whose files are `sources` (the root is computed from
    /// the first file's name).
    pub fn new(mode: &FileAccess, files: &Files, sources: &[Arc<Source>], max_bytes: u64) -> Self {
        let root = match mode {
            FileAccess::RuleSetRoot => sources.first().and_then(|s| {
                let folder = canonical(files, &folder_of(&s.name))?;
                Some(folder.parent().map_or(folder.clone(), Path::to_path_buf))
            }),
            FileAccess::Within(dir) => canonical(files, dir),
            FileAccess::Anywhere | FileAccess::Nothing => None,
        };
        Self {
            mode: mode.clone(),
            root,
            max_bytes,
            files: files.clone(),
        }
    }

    /// The rule files of the rule set at `path` (a `.chiso` file or a folder of them).
    pub fn rule_files(&self, path: &Path) -> Result<Vec<PathBuf>, LoadError> {
        self.files.rule_files(path)
    }

    /// The largest file this policy reads, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The path `named` (as written at `at`, relative to that rule file) resolves to, if
    /// the policy lets a rule file name it as `kind`.
    pub fn resolve(&self, named: &str, at: &Loc, kind: Kind) -> Result<PathBuf, Box<Diagnostic>> {
        let refuse = |message: String, label: &str, help: String| {
            Box::new(
                Diagnostic::error(message, at)
                    .with_label(label)
                    .with_help(help),
            )
        };
        if self.mode == FileAccess::Nothing {
            return Err(refuse(
                format!(
                    "rule files may not read other files here, so {} `{named}` is not read",
                    kind.what()
                ),
                "no file access",
                "the program running chiso does not allow `extends` or `hooks`".into(),
            ));
        }
        let path = Path::new(named);
        if path.is_absolute() && self.mode != FileAccess::Anywhere {
            return Err(refuse(
                format!("`{named}` is an absolute path"),
                "absolute path",
                "paths in rule files are relative to the rule file, inside its rule-set root"
                    .into(),
            ));
        }
        let joined = folder_of(&at.source.name).join(path);
        let joined = if self.files.is_memory() {
            crate::files::normalise(&joined)
        } else {
            joined
        };
        if kind == Kind::Script && !has_extension(&joined, "rhai") {
            return Err(refuse(
                format!("hook scripts are `.rhai` files, not `{named}`"),
                "not a `.rhai` file",
                "name a rhai script, e.g. `hooks \"scoring.rhai\"`".into(),
            ));
        }
        if kind == Kind::Extends && self.files.is_file(&joined) && !has_extension(&joined, "chiso")
        {
            return Err(refuse(
                format!("`{named}` is not a rule file"),
                "not a `.chiso` file or folder",
                "`extends` names a rule-set folder or a `.chiso` file".into(),
            ));
        }
        self.inside(&joined, named)
            .map_err(|(message, help)| refuse(message, "outside the rule-set root", help))?;
        Ok(joined)
    }

    /// `Ok` when `path` (resolved through symbolic links) may be read under this policy;
    /// a path that does not exist is let through, for the read to say so.
    fn inside(&self, path: &Path, named: &str) -> Result<(), (String, String)> {
        if self.mode == FileAccess::Anywhere {
            return Ok(());
        }
        let Some(real) = canonical(&self.files, path) else {
            return Ok(());
        };
        match &self.root {
            Some(root) if real.starts_with(root) => Ok(()),
            Some(root) => Err((
                format!("`{named}` is outside the rule-set root `{}`", root.display()),
                "a rule file reads only files inside the folder that holds its rule set's folder; the program running chiso can allow more".into(),
            )),
            None => Err((
                format!("`{named}` cannot be checked against the rule-set root (its folder does not exist)"),
                "load the rule set from its folder on disk".into(),
            )),
        }
    }

    /// Reads a file a rule file named as `kind` (already resolved), at most the size
    /// bound; the error says why not.
    pub fn read(&self, path: &Path, named: &str, kind: Kind) -> Result<String, String> {
        self.inside(path, named).map_err(|(message, _)| message)?;
        if kind == Kind::Extends && !has_extension(path, "chiso") {
            return Err(format!("`{}` is not a `.chiso` rule file", path.display()));
        }
        self.files.read_at_most(path, self.max_bytes)
    }
}

impl Access {
    /// A data table a rule file names (`aliases "…"`, `weights from "…"`): its path and
    /// bytes, read through the same files as the rule set. A table must lie in the naming
    /// rule file's folder or below it, also after symbolic links (unless the program
    /// allows [`FileAccess::Anywhere`]), and hold at most the size bound; the error says
    /// why not, as the end of a sentence naming the table.
    pub fn read_table(&self, named: &str, at: &Loc) -> Result<(PathBuf, Vec<u8>), String> {
        const OWN_FOLDER: &str = "a rule set reads only files in its own folder";
        if self.mode == FileAccess::Nothing {
            return Err(
                "is not read: the program running chiso does not let rule files read other files"
                    .into(),
            );
        }
        let written = Path::new(named);
        let folder = folder_of(&at.source.name);
        if self.mode != FileAccess::Anywhere {
            let mut depth: usize = 0;
            for part in written.components() {
                match part {
                    Component::Prefix(_) | Component::RootDir => {
                        return Err(format!("is an absolute path: {OWN_FOLDER}"));
                    }
                    Component::ParentDir => {
                        depth = depth.checked_sub(1).ok_or_else(|| {
                            format!("is outside the rule set's folder: {OWN_FOLDER}")
                        })?;
                    }
                    Component::Normal(_) => depth += 1,
                    Component::CurDir => {}
                }
            }
            // A symbolic link may still lead out of the folder.
            if !self.files.is_memory()
                && let (Some(f), Some(p)) = (
                    canonical(&self.files, &folder),
                    canonical(&self.files, &folder.join(written)),
                )
                && !p.starts_with(&f)
            {
                return Err(format!(
                    "leads outside the rule set's folder (through a link): {OWN_FOLDER}"
                ));
            }
        }
        let path = folder.join(written);
        let path = if self.files.is_memory() {
            crate::files::normalise(&path)
        } else {
            path
        };
        let bytes = self
            .files
            .bytes_at_most(&path, self.max_bytes)
            .map_err(|e| format!("cannot be read: {e}"))?;
        Ok((path, bytes))
    }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e == ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access_to(files: Files) -> (Access, Loc) {
        let rule_file = Source::new("rules/x/a.chiso", "methodology \"X\" version 1");
        let at = Loc {
            source: Arc::clone(&rule_file),
            range: 0..0,
        };
        let access = Access::new(&FileAccess::RuleSetRoot, &files, &[rule_file], 1 << 20);
        (access, at)
    }

    #[test]
    fn tables_stay_in_the_naming_rule_files_folder_in_memory_too() {
        let (access, at) = access_to(Files::memory([
            ("rules/x/weights.csv", "member,weight\na,1\n"),
            ("rules/weights.csv", "member,weight\nb,2\n"),
        ]));
        let (path, bytes) = access.read_table("weights.csv", &at).unwrap();
        assert_eq!(path, PathBuf::from("rules/x/weights.csv"));
        assert_eq!(bytes, b"member,weight\na,1\n");
        assert!(access.read_table("data/../weights.csv", &at).is_ok());
        for outside in ["../weights.csv", "data/../../weights.csv"] {
            let e = access.read_table(outside, &at).unwrap_err();
            assert!(
                e.contains("outside the rule set's folder"),
                "{outside}: {e}"
            );
        }
        let e = access.read_table("/etc/weights.csv", &at).unwrap_err();
        assert!(e.contains("absolute path"), "{e}");
        let e = access.read_table("none.csv", &at).unwrap_err();
        assert!(e.starts_with("cannot be read"), "{e}");
    }
}
