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

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
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

/// The policy resolved for one load: the mode, the root folder, the size bound.
#[derive(Debug, Clone)]
pub struct Access {
    mode: FileAccess,
    /// The canonical root folder (`RuleSetRoot`, `Within`); `None` when it does not exist.
    root: Option<PathBuf>,
    /// Largest file read, in bytes.
    max_bytes: u64,
}

/// The folder a file named `name` is in (empty for a bare file name: the current folder).
pub fn folder_of(name: &str) -> PathBuf {
    Path::new(name)
        .parent()
        .map_or_else(PathBuf::new, Path::to_path_buf)
}

/// The canonical form of a folder, the empty path being the current folder.
fn canonical_folder(folder: &Path) -> Option<PathBuf> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    std::fs::canonicalize(folder).ok()
}

impl Access {
    /// The policy for the rule set whose files are `sources` (the root is computed from
    /// the first file's name).
    pub fn new(mode: &FileAccess, sources: &[Arc<Source>], max_bytes: u64) -> Self {
        let root = match mode {
            FileAccess::RuleSetRoot => sources.first().and_then(|s| {
                let folder = canonical_folder(&folder_of(&s.name))?;
                Some(folder.parent().map_or(folder.clone(), Path::to_path_buf))
            }),
            FileAccess::Within(dir) => std::fs::canonicalize(dir).ok(),
            FileAccess::Anywhere | FileAccess::Nothing => None,
        };
        Self {
            mode: mode.clone(),
            root,
            max_bytes,
        }
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
        if kind == Kind::Script && !has_extension(&joined, "rhai") {
            return Err(refuse(
                format!("hook scripts are `.rhai` files, not `{named}`"),
                "not a `.rhai` file",
                "name a rhai script, e.g. `hooks \"scoring.rhai\"`".into(),
            ));
        }
        if kind == Kind::Extends && joined.is_file() && !has_extension(&joined, "chiso") {
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
        let Ok(real) = std::fs::canonicalize(path) else {
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
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err(format!("`{}` is not a regular file", path.display()));
        }
        if kind == Kind::Extends && !has_extension(path, "chiso") {
            return Err(format!("`{}` is not a `.chiso` rule file", path.display()));
        }
        read_bounded(path, self.max_bytes)
    }
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e == ext)
}

/// A text file of at most `max` bytes, read without ever holding more than `max + 1`.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "the file is larger than {}, the most this program reads",
            crate::limits::bytes(max)
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (byte {} is not valid)",
            e.utf8_error().valid_up_to()
        )
    })
}
