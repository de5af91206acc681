//! Reading a directory of `.txt` files. A directory goes in, one [`Document`] per `*.txt` file
//! under it (recursively, extension matched case-insensitively) comes out: the id is the path
//! relative to the directory with `/` separators, the text is the file's content. Order is the
//! byte order of those ids, so the same tree gives the same stream on every machine and file
//! system. Only the list of paths is gathered up front; each file is read when its turn comes,
//! so memory holds one file at a time. Symlinked directories are not followed (a link back up
//! the tree would loop); symlinked files are read. Anything that cannot be listed or read
//! becomes an error item in its place in the order, not an abort.

use super::{Document, DocumentStream};
use std::fs;
use std::path::{Path, PathBuf};
use storyhash_core::error::{Error, Location, Result};

/// Stream the `.txt` files under `dir` as documents (see the module doc).
///
/// Fails at once only when `dir` itself cannot be listed; problems below it are items.
pub fn read(dir: &Path) -> Result<DocumentStream> {
    let mut found = walk(dir)?;
    // Ties only happen between names that are not UTF-8 and map to the same lossy key;
    // the full path breaks them so the order stays deterministic.
    found.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.path.cmp(&b.path)));
    Ok(Box::new(found.into_iter().map(load)))
}

/// One thing the walk found, waiting to be read.
struct Found {
    /// Relative path with `/` separators (lossy if not UTF-8): the sort key.
    key: String,
    /// Full path (`dir` joined with the relative path): what locations and errors name.
    path: PathBuf,
    what: Kind,
}

enum Kind {
    /// A `.txt` file whose relative path (the id) is valid UTF-8.
    File { id: String },
    /// A `.txt` file whose name is not valid UTF-8, so it cannot become a `String` id
    /// without losing the way back to the file.
    BadName,
    /// An entry or directory that could not be examined.
    Unreadable(std::io::Error),
}

/// List every `.txt` file under `root`. Subdirectories wait on an explicit stack, as paths
/// rather than open handles, so neither a deep tree (call stack) nor a wide one (file
/// descriptors) can exhaust anything.
fn walk(root: &Path) -> Result<Vec<Found>> {
    walk_counting(root).map(|(found, _)| found)
}

/// What a walk of a text tree leaves out, by kind, so that a run can say so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeSkips {
    /// Files whose name does not end in `.txt`.
    pub not_txt: u64,
    /// Symlinked directories (not followed: a link back up the tree would loop).
    pub linked_dirs: u64,
    /// FIFOs, sockets and devices named like documents.
    pub special: u64,
}

impl TreeSkips {
    /// Whether anything was left out.
    pub fn any(&self) -> bool {
        self.not_txt + self.linked_dirs + self.special > 0
    }
}

/// What a walk of the text tree `dir` leaves out (a listing only; no file is read).
pub fn skipped(dir: &Path) -> Result<TreeSkips> {
    walk_counting(dir).map(|(_, skips)| skips)
}

fn walk_counting(root: &Path) -> Result<(Vec<Found>, TreeSkips)> {
    let top = fs::read_dir(root).map_err(|e| Error::io(root, e))?;
    let mut found = Vec::new();
    let mut pending = Vec::new();
    let mut skips = TreeSkips::default();
    list(
        root,
        Path::new(""),
        top,
        &mut found,
        &mut pending,
        &mut skips,
    );
    while let Some(rel) = pending.pop() {
        match fs::read_dir(root.join(&rel)) {
            Ok(entries) => list(root, &rel, entries, &mut found, &mut pending, &mut skips),
            Err(e) => found.push(unreadable(root, &rel, e)),
        }
    }
    Ok((found, skips))
}

/// Sort the entries of one directory (`rel_dir`, relative to `root`) into `found` (documents
/// and errors) and `pending` (subdirectories still to list).
fn list(
    root: &Path,
    rel_dir: &Path,
    entries: fs::ReadDir,
    found: &mut Vec<Found>,
    pending: &mut Vec<PathBuf>,
    skips: &mut TreeSkips,
) {
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.push(unreadable(root, rel_dir, e));
                continue;
            }
        };
        let rel = rel_dir.join(entry.file_name());
        // `DirEntry::file_type` does not follow symlinks, which is what keeps a link to an
        // ancestor directory from looping.
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                found.push(unreadable(root, &rel, e));
                continue;
            }
        };
        if file_type.is_dir() {
            pending.push(rel);
            continue;
        }
        if !is_txt(&rel) {
            let linked_dir =
                file_type.is_symlink() && fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            if linked_dir {
                skips.linked_dirs += 1;
            } else {
                skips.not_txt += 1;
            }
            continue;
        }
        if file_type.is_symlink() {
            match fs::metadata(entry.path()) {
                Ok(m) if m.is_file() => {}
                // A linked directory (not followed) or a special file.
                Ok(m) => {
                    if m.is_dir() {
                        skips.linked_dirs += 1;
                    } else {
                        skips.special += 1;
                    }
                    continue;
                }
                // A dangling link named like a document: say so rather than drop it.
                Err(e) => {
                    found.push(unreadable(root, &rel, e));
                    continue;
                }
            }
        } else if !file_type.is_file() {
            // FIFOs, sockets, devices: reading a FIFO would block forever.
            skips.special += 1;
            continue;
        }
        found.push(Found {
            key: key(&rel),
            path: root.join(&rel),
            what: match id(&rel) {
                Some(id) => Kind::File { id },
                None => Kind::BadName,
            },
        });
    }
}

fn unreadable(root: &Path, rel: &Path, e: std::io::Error) -> Found {
    Found {
        key: key(rel),
        path: root.join(rel),
        what: Kind::Unreadable(e),
    }
}

fn is_txt(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// The relative path with `/` separators, whatever the platform's separator.
fn id(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|p| p.join("/"))
}

fn key(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Read one found file into a document (or say why not).
fn load(found: Found) -> Result<Document> {
    let location = Location {
        path: found.path.into(),
        line: 0,
    };
    let id = match found.what {
        Kind::File { id } => id,
        Kind::BadName => {
            return Err(Error::bad(
                location,
                "file name is not valid UTF-8, so it cannot be a document id; rename the file",
            ))
        }
        Kind::Unreadable(e) => return Err(Error::io(location.path.to_path_buf(), e)),
    };
    let bytes = match fs::read(&location.path) {
        Ok(b) => b,
        Err(e) => return Err(Error::io(location.path.to_path_buf(), e)),
    };
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            return Err(Error::bad(
                location,
                format!("not valid UTF-8 (at byte offset {offset})"),
            ));
        }
    };
    // Editors on Windows often start text files with a BOM; it is not part of the text.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(Document::new(id, text, location))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, content: &[u8]) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, content).unwrap();
    }

    fn ids(items: &[Result<Document>]) -> Vec<String> {
        items
            .iter()
            .map(|r| match r {
                Ok(d) => d.id.clone(),
                Err(e) => format!("ERR {e}"),
            })
            .collect()
    }

    fn read_all(dir: &Path) -> Vec<Result<Document>> {
        read(dir).unwrap().collect()
    }

    #[test]
    fn reads_txt_files_recursively_with_relative_ids() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "top.txt", b"top");
        write(dir.path(), "sub/deeper/leaf.txt", b"leaf");
        let items = read_all(dir.path());
        assert_eq!(ids(&items), vec!["sub/deeper/leaf.txt", "top.txt"]);
        let leaf = items[0].as_ref().unwrap();
        assert_eq!(leaf.text, "leaf");
        assert_eq!(
            leaf.location,
            Location {
                path: dir.path().join("sub/deeper/leaf.txt").into(),
                line: 0
            }
        );
    }

    #[test]
    fn order_is_byte_order_of_ids() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.txt", "a/z.txt", "a.txt", "a-b.txt", "B.txt", "a/b/c.txt"] {
            write(dir.path(), name, b"x");
        }
        let items = read_all(dir.path());
        // '-' (0x2D) < '.' (0x2E) < '/' (0x2F), and upper case before lower case.
        assert_eq!(
            ids(&items),
            vec!["B.txt", "a-b.txt", "a.txt", "a/b/c.txt", "a/z.txt", "b.txt"]
        );
    }

    #[test]
    fn only_txt_files_are_read_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"x");
        write(dir.path(), "b.TXT", b"x");
        write(dir.path(), "c.Txt", b"x");
        write(dir.path(), "d.md", b"x");
        write(dir.path(), "e.txt.gz", b"x");
        write(dir.path(), "txt", b"x");
        write(dir.path(), ".txt", b"x");
        let items = read_all(dir.path());
        assert_eq!(ids(&items), vec!["a.txt", "b.TXT", "c.Txt"]);
    }

    #[test]
    fn directory_named_like_a_txt_file_is_walked_not_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "notes.txt/inner.txt", b"inner");
        assert_eq!(ids(&read_all(dir.path())), vec!["notes.txt/inner.txt"]);
    }

    #[test]
    fn empty_directory_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_all(dir.path()).is_empty());
    }

    #[test]
    fn empty_file_is_an_empty_document() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "empty.txt", b"");
        let items = read_all(dir.path());
        assert_eq!(items[0].as_ref().unwrap().text, "");
    }

    #[test]
    fn content_is_kept_exactly() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.txt",
            "line one\r\nline two\n\nünïcödé\n".as_bytes(),
        );
        let items = read_all(dir.path());
        assert_eq!(
            items[0].as_ref().unwrap().text,
            "line one\r\nline two\n\nünïcödé\n"
        );
    }

    #[test]
    fn leading_bom_is_stripped() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"\xEF\xBB\xBFhello");
        assert_eq!(read_all(dir.path())[0].as_ref().unwrap().text, "hello");
    }

    #[test]
    fn invalid_utf8_is_a_bad_record_with_line_zero_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"good");
        write(dir.path(), "b.txt", b"abc\xFFdef");
        write(dir.path(), "c.txt", b"good");
        let items = read_all(dir.path());
        assert_eq!(items.len(), 3);
        match &items[1] {
            Err(Error::BadRecord { location, reason }) => {
                assert_eq!(location.line, 0);
                assert_eq!(&*location.path, dir.path().join("b.txt"));
                assert!(reason.contains("byte offset 3"), "{reason}");
            }
            other => panic!("expected a bad record, got {other:?}"),
        }
        assert!(items[0].is_ok() && items[2].is_ok());
    }

    #[test]
    fn missing_directory_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(read(&missing), Err(Error::Io { path, .. }) if path == missing));
    }

    #[test]
    fn files_are_read_lazily() {
        // A file deleted after listing but before its turn is an I/O error in its place,
        // which shows contents are read during iteration, not up front.
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), "b.txt", b"b");
        write(dir.path(), "c.txt", b"c");
        let mut stream = read(dir.path()).unwrap();
        assert_eq!(stream.next().unwrap().unwrap().id, "a.txt");
        fs::remove_file(dir.path().join("b.txt")).unwrap();
        assert!(
            matches!(stream.next(), Some(Err(Error::Io { path, .. })) if path == dir.path().join("b.txt"))
        );
        assert_eq!(stream.next().unwrap().unwrap().id, "c.txt");
        assert!(stream.next().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "real/a.txt", b"a");
        // A link to an ancestor: following it would loop forever.
        std::os::unix::fs::symlink(dir.path(), dir.path().join("real/loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("alias.txt")).unwrap();
        assert_eq!(ids(&read_all(dir.path())), vec!["real/a.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "target.txt", b"linked");
        std::os::unix::fs::symlink(
            outside.path().join("target.txt"),
            dir.path().join("link.txt"),
        )
        .unwrap();
        let items = read_all(dir.path());
        let doc = items[0].as_ref().unwrap();
        assert_eq!((doc.id.as_str(), doc.text.as_str()), ("link.txt", "linked"));
    }

    #[cfg(unix)]
    #[test]
    fn dangling_symlink_is_an_io_error_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), "c.txt", b"c");
        std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("b.txt")).unwrap();
        let items = read_all(dir.path());
        assert_eq!(items.len(), 3);
        assert!(
            matches!(&items[1], Err(Error::Io { path, .. }) if *path == dir.path().join("b.txt"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_subdirectory_is_an_io_error_in_its_place() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), "locked/x.txt", b"x");
        write(dir.path(), "z.txt", b"z");
        let locked = dir.path().join("locked");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let can_still_read = fs::read_dir(&locked).is_ok();
        let items = read_all(dir.path());
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        if can_still_read {
            // Running as root: permissions do not stop us, so there is nothing to check.
            return;
        }
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[1], Err(Error::Io { path, .. }) if *path == locked));
        assert!(items[2].is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_file_name_is_a_bad_record() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"bad\xFF.txt");
        fs::write(dir.path().join(name), b"x").unwrap();
        let items = read_all(dir.path());
        match &items[0] {
            Err(Error::BadRecord { location, reason }) => {
                assert_eq!(&*location.path, dir.path().join(name));
                assert!(reason.contains("not valid UTF-8"), "{reason}");
            }
            other => panic!("expected a bad record, got {other:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn fifo_named_txt_is_skipped_not_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        let fifo = dir.path().join("pipe.txt");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // No mkfifo here; nothing to check.
        }
        // Reading a FIFO with no writer would block forever, so this test hanging is the bug.
        assert_eq!(ids(&read_all(dir.path())), vec!["a.txt"]);
    }
}
