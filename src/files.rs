//! Where a rule set's files are read: the disk, or texts held in memory.
//!
//! Loading a rule set reads more than the files it is given: the rule set it `extends` and
//! the hook scripts it names. The command line and the language server read them from the
//! disk; a program without a file system (the WebAssembly build, a browser playground)
//! passes every text in, by path, and nothing else is read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::load::{LoadError, RULE_FILE_EXTENSION};

/// The files a rule set reads: from the disk (the default), or only from texts held in
/// memory.
///
/// ```
/// use chiso::files::Files;
///
/// let files = Files::memory([
///     ("sets/2018/base.chiso", "methodology \"M\" version 2018\ninput x: number\nrule r require x > 0"),
///     ("sets/2019/new.chiso", "methodology \"M\" version 2019\n  extends \"../2018\"\ninput y: number"),
/// ]);
/// let rules = chiso::RuleSet::builder().files(files).load("sets/2019")?;
/// assert_eq!(rules.methodology().extends.as_deref(), Some("M 2018"));
/// # Ok::<(), chiso::LoadError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// Texts by normalised path; `None` reads the disk.
    memory: Option<Arc<BTreeMap<PathBuf, String>>>,
}

impl Files {
    /// Files read from the disk.
    pub fn disk() -> Self {
        Self::default()
    }

    /// Only these texts, by path (a path like `rules/ict-index/2019/../2018` finds
    /// `rules/ict-index/2018`); a folder is the files under its path.
    pub fn memory<P: AsRef<Path>, T: Into<String>>(
        files: impl IntoIterator<Item = (P, T)>,
    ) -> Self {
        Self {
            memory: Some(Arc::new(
                files
                    .into_iter()
                    .map(|(p, t)| (normalise(p.as_ref()), t.into()))
                    .collect(),
            )),
        }
    }

    /// The text of the file at `path`.
    pub fn read(&self, path: &Path) -> std::io::Result<String> {
        match &self.memory {
            None => std::fs::read_to_string(path),
            Some(files) => files
                .get(&normalise(path))
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")),
        }
    }

    /// Whether the files are texts held in memory (there is no disk to look at).
    pub fn is_memory(&self) -> bool {
        self.memory.is_some()
    }

    /// Whether `path` is a file (not a folder).
    pub fn is_file(&self, path: &Path) -> bool {
        match &self.memory {
            None => path.is_file(),
            Some(files) => files.contains_key(&normalise(path)),
        }
    }

    /// The text of the regular file at `path`, if it has at most `max` bytes; the error
    /// says why not (a device such as `/dev/zero` is not read at all).
    pub fn read_at_most(&self, path: &Path, max: u64) -> Result<String, String> {
        utf8(self.bytes_at_most(path, max)?)
    }

    /// The bytes of the regular file at `path`, if it has at most `max` bytes (a data
    /// table may be a workbook); the error says why not.
    pub fn bytes_at_most(&self, path: &Path, max: u64) -> Result<Vec<u8>, String> {
        let bytes = match &self.memory {
            None => {
                let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
                if !meta.is_file() {
                    return Err(format!("`{}` is not a regular file", path.display()));
                }
                read_bytes_bounded(path, max).map_err(|e| e.to_string())?
            }
            Some(_) => self.read(path).map_err(|e| e.to_string())?.into_bytes(),
        };
        if bytes.len() as u64 > max {
            return Err(too_large(max));
        }
        Ok(bytes)
    }

    /// The rule files of a rule set at `path`: the file itself, or the `.chiso` files
    /// directly inside the folder, sorted by name.
    pub fn rule_files(&self, path: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let Some(files) = &self.memory else {
            return crate::load::rule_files(path);
        };
        let key = normalise(path);
        if files.contains_key(&key) {
            return Ok(vec![path.to_path_buf()]);
        }
        let mut found = Vec::new();
        let mut folder = false;
        for file in files.keys() {
            if file.starts_with(&key) {
                folder = true;
            }
            if file.parent() == Some(key.as_path())
                && file.extension().is_some_and(|e| e == RULE_FILE_EXTENSION)
                && let Some(name) = file.file_name()
            {
                found.push(path.join(name));
            }
        }
        if !folder {
            return Err(LoadError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        found.sort();
        if found.is_empty() {
            return Err(LoadError::NoRuleFiles {
                path: path.to_path_buf(),
            });
        }
        Ok(found)
    }
}

fn too_large(max: u64) -> String {
    format!(
        "the file is larger than {}, the most this program reads",
        crate::limits::bytes(max)
    )
}

/// A text file of at most `max` bytes, read without ever holding more than `max + 1`.
pub fn read_bounded(path: &Path, max: u64) -> Result<String, String> {
    let bytes = read_bytes_bounded(path, max).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(too_large(max));
    }
    utf8(bytes)
}

/// At most `max + 1` bytes of the file at `path` (a special file such as `/dev/zero`
/// never ends): more than `max` means the file is too large.
pub fn read_bytes_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (byte {} is not valid)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// `a/./b/../c` → `a/c`, without touching the disk.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_in_memory_is_the_rule_files_directly_under_it() {
        let files = Files::memory([
            ("r/a.chiso", ""),
            ("r/b.chiso", ""),
            ("r/hook.rhai", ""),
            ("r/sub/c.chiso", ""),
        ]);
        let found = files.rule_files(Path::new("x/../r")).unwrap();
        assert_eq!(
            found,
            vec![
                PathBuf::from("x/../r/a.chiso"),
                PathBuf::from("x/../r/b.chiso")
            ]
        );
        assert!(matches!(
            files.rule_files(Path::new("r/sub/none")),
            Err(LoadError::Io { .. })
        ));
        assert_eq!(files.read(Path::new("./r/sub/../hook.rhai")).unwrap(), "");
        assert!(files.read(Path::new("elsewhere.chiso")).is_err());
    }
}
