//! Subsets of the inputs, as they were given: the records (JSONL lines, CSV records with the
//! header) or the files (of `.txt` directory inputs) that a run keeps, copied byte for byte into
//! a new file or directory that appears whole or not at all.
//!
//! Records are named by their input and their bytes in it ([`crate::Document::bytes`], as the
//! reader found them), so the writer copies exactly the records the run read: it never parses
//! the input again, so no line numbering, line ending or ragged row can make it keep another.
//!
//! Invariant: a destination is written through a temporary file of its own, created
//! exclusively beside it when the run starts (so an unwritable destination fails before any
//! work) and renamed into place at the end; two runs never share one, a failed run removes its
//! own, and one left by a killed run is removed by the next run to the same destination.

use crate::decompress::{compressing, FinishWrite};
use crate::InputFormat;
use std::io::{BufRead, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use storyhash_core::error::{Error, Result};

/// One kept record: its input (index into the inputs) and its bytes there.
pub type KeptRecord = (u32, Range<u64>);

/// Refuse, before a run, inputs whose subset could not be written exactly: stdin and other
/// streams that cannot be read twice (FIFOs, `<(...)`), and inputs of more than one format.
pub fn check_inputs(inputs: &[PathBuf], fmt: impl Fn(&Path) -> InputFormat) -> Result<()> {
    for p in inputs {
        let regular =
            p != Path::new("-") && std::fs::metadata(p).is_ok_and(|m| m.is_file() || m.is_dir());
        if !regular {
            return Err(Error::Config(format!(
                "{} is not a regular file or directory: a subset needs inputs it can read a second time",
                p.display()
            )));
        }
    }
    if let Some(p) = inputs.iter().find(|p| fmt(p) == InputFormat::Parquet) {
        return Err(parquet_subset(p));
    }
    let mut formats = inputs.iter().map(|p| fmt(p));
    if let Some(first) = formats.next() {
        if let Some(other) = formats.find(|f| *f != first) {
            return Err(Error::Config(format!(
                "the inputs mix formats ({first:?} and {other:?}): a subset is written in the inputs' one format"
            )));
        }
    }
    Ok(())
}

/// Why a subset of a Parquet input is not written.
fn parquet_subset(path: &Path) -> Error {
    Error::Config(format!(
        "{} is Parquet: a deduplicated subset is written for JSONL, CSV and .txt inputs; for Parquet, filter the input by the representatives of the JSONL output",
        path.display()
    ))
}

/// A file to be written whole or not at all (see the module doc).
pub struct Destination {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

/// The prefix of the temporary files of `path`: hidden, beside it, naming it and the process.
fn tmp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.storyhash-tmp-")
}

/// Remove temporary files of `path` whose process is gone (a killed run's). Only where
/// processes can be looked up (`/proc`); elsewhere they stay, recognisable by their name.
fn remove_debris(dir: &Path, path: &Path) {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let prefix = tmp_prefix(path);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && !proc.join(pid).exists() {
            let _ = std::fs::remove_file(e.path()).or_else(|_| std::fs::remove_dir_all(e.path()));
        }
    }
}

/// The error of creating a destination's temporary file, naming the directory it needs (the
/// temporary name means nothing to a user).
fn beside(dir: &Path, e: &std::io::Error) -> std::io::Error {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        std::io::ErrorKind::PermissionDenied => "is not writable".to_string(),
        _ => format!("cannot hold a new file ({})", e.kind()),
    };
    std::io::Error::new(e.kind(), format!("its directory {} {why}", dir.display()))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

impl Destination {
    /// Claim `path`: its temporary file is created now, exclusively, in its directory.
    pub fn create(path: &Path) -> Result<Self> {
        if path.is_dir() {
            return Err(Error::Config(format!(
                "{} is a directory: a file was expected",
                path.display()
            )));
        }
        // The temporary file is renamed over the path at the end, which would put a regular
        // file where a device or a pipe was (`-o /dev/null` run as root replaces the
        // system's /dev/null).
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(Error::Config(format!(
                "{} is not a regular file (a device or a pipe): give a file to write, or leave \
                 the option out and redirect standard output",
                path.display()
            )));
        }
        let dir = parent_of(path);
        remove_debris(dir, path);
        let mut builder = tempfile::Builder::new();
        let prefix = format!("{}{}-", tmp_prefix(path), std::process::id());
        builder.prefix(&prefix);
        // An output is a file like any other the user makes: readable as the umask allows
        // (a temporary file is private by default), or as the file it replaces was.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let tmp = builder
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, beside(dir, &e)))?;
        if let Ok(old) = std::fs::metadata(path) {
            std::fs::set_permissions(tmp.path(), old.permissions())
                .map_err(|e| Error::io(path, e))?;
        }
        Ok(Destination {
            path: path.to_path_buf(),
            tmp,
        })
    }

    /// The destination's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, to be written by a writer of its own (a Parquet file, which is
    /// never compressed as a whole) and then [`Destination::persist`]ed.
    pub fn file(&self) -> Result<std::fs::File> {
        self.tmp.reopen().map_err(|e| Error::io(&self.path, e))
    }

    /// Rename the temporary file, once written through [`Destination::file`] and flushed to
    /// disk, into place.
    pub fn persist(self) -> Result<()> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| Error::io(&self.path, e))?;
        self.tmp
            .persist(&self.path)
            .map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }

    /// Start writing (compressed as the destination's extension says).
    pub fn open(self) -> Result<OpenDestination> {
        let file = self.tmp.reopen().map_err(|e| Error::io(&self.path, e))?;
        let w = compressing(&self.path, file)?;
        Ok(OpenDestination { dest: self, w })
    }

    /// Write the content with `write`, then rename it into place. On any error the temporary
    /// file is removed and the destination left as it was.
    pub fn commit(self, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
        let mut open = self.open()?;
        write(&mut *open.w)?;
        open.finish()
    }
}

/// A [`Destination`] being written.
pub struct OpenDestination {
    dest: Destination,
    w: Box<dyn FinishWrite>,
}

impl OpenDestination {
    /// Write `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        self.w
            .write_all(bytes)
            .map_err(|e| Error::io(&self.dest.path, e))
    }

    /// End the content and rename it into place.
    pub fn finish(self) -> Result<()> {
        let OpenDestination { dest, w } = self;
        FinishWrite::finish(w).map_err(|e| Error::io(&dest.path, e))?;
        dest.tmp
            .persist(&dest.path)
            .map_err(|e| Error::io(&dest.path, e.error))?;
        Ok(())
    }
}

/// Copy the kept records of `inputs` (JSONL or CSV with `delimiter`, one format) into `dest`,
/// byte for byte, in input order: JSONL lines as they are; CSV records after the first input's
/// header (every input's header must be the same). A last record without a line ending gets a
/// `\n`.
pub fn write_records(
    dest: Destination,
    inputs: &[PathBuf],
    fmt: impl Fn(&Path) -> InputFormat,
    delimiter: u8,
    kept: &[KeptRecord],
) -> Result<()> {
    let mut kept = kept.to_vec();
    kept.sort_by_key(|(i, r)| (*i, r.start));
    let out_path = dest.path().to_path_buf();
    dest.commit(|w| {
        let mut header: Option<Vec<u8>> = None;
        for (i, path) in inputs.iter().enumerate() {
            let csv = match fmt(path) {
                InputFormat::Jsonl => false,
                InputFormat::Csv => true,
                InputFormat::TextDir => {
                    return Err(Error::Config(format!(
                        "{} is a .txt directory: its subset is a directory (write_files)",
                        path.display()
                    )))
                }
                InputFormat::Parquet => return Err(parquet_subset(path)),
            };
            let mut r = crate::open_raw(path)?;
            let mut at = 0u64;
            if csv {
                let len = crate::csv::header_len(crate::open_raw(path)?, path, delimiter)?;
                let mut own = vec![0u8; len as usize];
                r.read_exact(&mut own).map_err(|e| Error::io(path, e))?;
                at = len;
                let key = |h: &[u8]| {
                    let h = h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h);
                    h.strip_suffix(b"\n")
                        .map(|h| h.strip_suffix(b"\r").unwrap_or(h))
                        .unwrap_or(h)
                        .to_vec()
                };
                match &header {
                    None => {
                        w.write_all(&own).map_err(|e| Error::io(&out_path, e))?;
                        if !own.ends_with(b"\n") {
                            w.write_all(b"\n").map_err(|e| Error::io(&out_path, e))?;
                        }
                        header = Some(key(&own));
                    }
                    Some(first) if *first != key(&own) => {
                        return Err(Error::Config(format!(
                            "{}: its header differs from the first CSV input's, so its records cannot follow them",
                            path.display()
                        )))
                    }
                    Some(_) => {}
                }
            }
            for (_, range) in kept.iter().filter(|(k, _)| *k as usize == i) {
                skip(&mut r, range.start - at).map_err(|e| Error::io(path, e))?;
                let mut record = vec![0u8; (range.end - range.start) as usize];
                r.read_exact(&mut record).map_err(|e| Error::io(path, e))?;
                at = range.end;
                // A CSV span may begin with the blank lines skipped before the record.
                let start = if csv {
                    record
                        .iter()
                        .position(|&b| b != b'\n' && b != b'\r')
                        .unwrap_or(record.len())
                } else {
                    0
                };
                let record = &record[start..];
                w.write_all(record).map_err(|e| Error::io(&out_path, e))?;
                if !record.is_empty() && !record.ends_with(b"\n") {
                    w.write_all(b"\n").map_err(|e| Error::io(&out_path, e))?;
                }
            }
        }
        Ok(())
    })
}

/// Read and drop `n` bytes of `r`.
fn skip(r: &mut dyn BufRead, n: u64) -> std::io::Result<()> {
    let skipped = std::io::copy(&mut r.take(n), &mut std::io::sink())?;
    if skipped < n {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the input is shorter than when it was read",
        ));
    }
    Ok(())
}

/// Copy the representatives' files of `.txt` directory inputs into the directory `out`, at the
/// same relative paths (their ids), byte for byte. The copy is made in a temporary directory of
/// its own beside `out` and renamed into place, so `out` is never half-written; an existing
/// non-empty `out` is refused.
pub fn write_files(
    out: &Path,
    inputs: &[PathBuf],
    reps: &[&str],
    fmt: impl Fn(&Path) -> InputFormat,
) -> Result<()> {
    if let Some(p) = inputs.iter().find(|p| fmt(p) != InputFormat::TextDir) {
        return Err(Error::Config(format!(
            "a subset of .txt directory inputs is a directory, so every input must be one; {} is not",
            p.display()
        )));
    }
    if out.is_file() || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::Config(format!(
            "{} exists and is not an empty directory; refusing to overwrite it",
            out.display()
        )));
    }
    let dir = parent_of(out);
    remove_debris(dir, out);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", tmp_prefix(out), std::process::id()))
        .tempdir_in(dir)
        .map_err(|e| Error::io(out, beside(dir, &e)))?;
    for id in reps {
        // Ids are relative paths with `/` separators, unique across the inputs.
        let rel: PathBuf = id.split('/').collect();
        let Some(src) = inputs.iter().map(|d| d.join(&rel)).find(|p| p.is_file()) else {
            return Err(Error::Config(format!(
                "{id} is no longer a file under the input directories"
            )));
        };
        let dst = tmp.path().join(&rel);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::copy(&src, &dst).map_err(|e| Error::io(&src, e))?;
    }
    if out.is_dir() {
        std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
    }
    let tmp = tmp.keep();
    std::fs::rename(&tmp, out).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        Error::io(out, e)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_pipe_as_destination_is_refused_and_left_in_place() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test with
        }
        let err = Destination::create(&fifo)
            .err()
            .expect("refused")
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    fn read_spans(path: &Path, format: InputFormat) -> Vec<KeptRecord> {
        let opts = crate::ReadOptions {
            format: Some(format),
            ..Default::default()
        };
        crate::open(path, &opts)
            .unwrap()
            .map(|d| (0, d.unwrap().bytes))
            .collect()
    }

    #[test]
    fn kept_jsonl_lines_are_copied_byte_for_byte_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let text_a = "{\"id\":\"1\"}\n{\"id\":\"2\", \"x\": \"é\"}\r\n{\"id\":\"3\"}";
        std::fs::write(&a, text_a).unwrap();
        std::fs::write(&b, "{\"id\":\"4\"}\n").unwrap();
        let out = dir.path().join("kept.jsonl");
        let (second, third) = (
            text_a.find("{\"id\":\"2").unwrap() as u64,
            text_a.find("{\"id\":\"3").unwrap() as u64,
        );
        let kept = vec![
            (1, 0..11),
            (0, second..third),
            (0, third..text_a.len() as u64),
        ];
        write_records(
            Destination::create(&out).unwrap(),
            &[a, b],
            |_| InputFormat::Jsonl,
            b',',
            &kept,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"id\":\"2\", \"x\": \"é\"}\r\n{\"id\":\"3\"}\n{\"id\":\"4\"}\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 3, "no temporary file left");
    }

    /// Regression: the writer re-read CRLF CSV with other line numbers than the reader and kept
    /// the wrong records (or none), and turned the fields' `\r\n` into `\n`.
    #[test]
    fn crlf_csv_subset_keeps_the_records_the_reader_read_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        let text = "id,text\r\na,\"one\r\ntwo\"\r\nb,x\r\nc,\"three\"\r\n";
        std::fs::write(&input, text).unwrap();
        let spans = read_spans(&input, InputFormat::Csv);
        let kept = vec![spans[0].clone(), spans[2].clone()];
        let out = dir.path().join("out.csv");
        write_records(
            Destination::create(&out).unwrap(),
            &[input],
            |_| InputFormat::Csv,
            b',',
            &kept,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "id,text\r\na,\"one\r\ntwo\"\r\nc,\"three\"\r\n"
        );
    }

    /// Regression: `--dedup-out x.jsonl.gz` wrote plain text under a compressed name.
    #[test]
    fn a_compressed_destination_is_written_compressed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{\"id\":\"a\",\"text\":\"x\"}\n").unwrap();
        for name in ["out.jsonl.gz", "out.jsonl.zst"] {
            let out = dir.path().join(name);
            write_records(
                Destination::create(&out).unwrap(),
                std::slice::from_ref(&input),
                |_| InputFormat::Jsonl,
                b',',
                &[(0, 0..22)],
            )
            .unwrap();
            let mut back = String::new();
            crate::open_raw(&out)
                .unwrap()
                .read_to_string(&mut back)
                .unwrap();
            assert_eq!(back, "{\"id\":\"a\",\"text\":\"x\"}\n", "{name}");
        }
    }

    /// Regression: two runs with one destination shared a fixed temporary name, and the second
    /// truncated the first's file.
    #[test]
    fn two_destinations_of_one_path_never_share_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (x, y) = (
            Destination::create(&out).unwrap(),
            Destination::create(&out).unwrap(),
        );
        assert_ne!(x.tmp.path(), y.tmp.path());
        x.commit(|w| {
            w.write_all(b"first\n").unwrap();
            Ok(())
        })
        .unwrap();
        y.commit(|w| {
            w.write_all(b"second\n").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "second\n");
        // A failed run leaves nothing; a killed run's file (its process gone) is removed by
        // the next run to the destination.
        let failed = Destination::create(&out).unwrap();
        assert!(failed.commit(|_| Err(Error::Config("no".into()))).is_err());
        let debris = dir
            .path()
            .join(format!("{}{}-x", tmp_prefix(&out), u32::MAX));
        std::fs::write(&debris, "half").unwrap();
        let _next = Destination::create(&out).unwrap();
        assert!(!debris.exists());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "second\n");
    }

    #[test]
    fn inputs_that_cannot_be_read_twice_or_mix_formats_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (j, c) = (dir.path().join("a.jsonl"), dir.path().join("b.csv"));
        std::fs::write(&j, "").unwrap();
        std::fs::write(&c, "").unwrap();
        let fmt = |p: &Path| crate::guess_format(p);
        assert!(check_inputs(std::slice::from_ref(&j), fmt).is_ok());
        assert!(check_inputs(&[j.clone(), c], fmt).is_err());
        assert!(check_inputs(&[PathBuf::from("-")], fmt).is_err());
        assert!(check_inputs(&[dir.path().join("missing.jsonl")], fmt).is_err());
    }

    #[test]
    fn a_file_subset_refuses_a_non_empty_destination() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        std::fs::write(input.join("x.txt"), "text").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("other"), "keep me").unwrap();
        let fmt = |_: &Path| InputFormat::TextDir;
        assert!(write_files(&out, std::slice::from_ref(&input), &["x.txt"], fmt).is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("other")).unwrap(),
            "keep me"
        );
        let fresh = dir.path().join("fresh");
        write_files(&fresh, &[input], &["x.txt"], fmt).unwrap();
        assert_eq!(
            std::fs::read_to_string(fresh.join("x.txt")).unwrap(),
            "text"
        );
    }
}
