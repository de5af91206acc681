//! Subsets of the inputs, as they were given: the records (JSONL lines, CSV records with the
//! header) or the files (of `.txt` directory inputs) that a run keeps, copied byte for byte into
//! a new file or directory that appears whole or not at all (written beside it, then renamed).
//!
//! Records are named by (input index, line) as the readers number them ([`crate::Document`]'s
//! location), so that the writer copies exactly the records the run read.

use crate::InputFormat;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use storyhash_core::error::{Error, Result};

/// Copy the representatives' files of .txt directory inputs into the directory `out`, at the
/// same relative paths (their ids), byte for byte. The copy is made in a sibling directory and
/// renamed into place, so `out` is never half-written; an existing non-empty `out` is refused.
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
    let tmp = out.with_extension("storyhash-tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    for id in reps {
        // Ids are relative paths with `/` separators, unique across the inputs.
        let rel: PathBuf = id.split('/').collect();
        let Some(src) = inputs.iter().map(|d| d.join(&rel)).find(|p| p.is_file()) else {
            return Err(Error::Config(format!(
                "{id} is no longer a file under the input directories"
            )));
        };
        let dst = tmp.join(&rel);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::copy(&src, &dst).map_err(|e| Error::io(&src, e))?;
    }
    if out.is_dir() {
        std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
    }
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    Ok(())
}

/// Copy the kept records verbatim: JSONL lines or CSV records (with the header).
pub fn write_records(
    out: &Path,
    inputs: &[PathBuf],
    fmt: impl Fn(&Path) -> InputFormat,
    keep: &HashSet<(u32, u64)>,
) -> Result<()> {
    let tmp = out.with_extension("storyhash-tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    let mut wrote_header = false;
    for (i, path) in inputs.iter().enumerate() {
        match fmt(path) {
            InputFormat::Jsonl => {
                let mut r = crate::open_raw(path)?;
                let mut line = Vec::new();
                let mut n = 0u64;
                loop {
                    line.clear();
                    let got = r
                        .read_until(b'\n', &mut line)
                        .map_err(|e| Error::io(path, e))?;
                    if got == 0 {
                        break;
                    }
                    n += 1;
                    if keep.contains(&(i as u32, n)) {
                        w.write_all(&line).map_err(|e| Error::io(&tmp, e))?;
                        if !line.ends_with(b"\n") {
                            w.write_all(b"\n").map_err(|e| Error::io(&tmp, e))?;
                        }
                    }
                }
            }
            InputFormat::Csv => {
                let r = crate::open_raw(path)?;
                let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(r);
                let mut cw = csv::Writer::from_writer(&mut w);
                if !wrote_header {
                    let h = rdr
                        .byte_headers()
                        .map_err(|e| Error::io(path, std::io::Error::other(e)))?
                        .clone();
                    cw.write_byte_record(&h)
                        .map_err(|e| Error::io(&tmp, e.into()))?;
                    wrote_header = true;
                }
                for rec in rdr.byte_records() {
                    let rec = rec.map_err(|e| Error::io(path, std::io::Error::other(e)))?;
                    let line = rec.position().map_or(0, |p| p.line());
                    if keep.contains(&(i as u32, line)) {
                        cw.write_byte_record(&rec)
                            .map_err(|e| Error::io(&tmp, e.into()))?;
                    }
                }
                cw.flush().map_err(|e| Error::io(&tmp, e))?;
            }
            InputFormat::TextDir => {
                return Err(Error::Config(format!(
                    "{} is a .txt directory: its subset is written by write_files",
                    path.display()
                )))
            }
        }
    }
    w.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_jsonl_lines_are_copied_byte_for_byte_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        std::fs::write(
            &a,
            "{\"id\":\"1\"}\n{\"id\":\"2\", \"x\": \"é\"}\n{\"id\":\"3\"}",
        )
        .unwrap();
        std::fs::write(&b, "{\"id\":\"4\"}\n").unwrap();
        let out = dir.path().join("kept.jsonl");
        let keep: HashSet<(u32, u64)> = [(0, 2), (0, 3), (1, 1)].into_iter().collect();
        write_records(&out, &[a, b], |_| InputFormat::Jsonl, &keep).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "{\"id\":\"2\", \"x\": \"é\"}\n{\"id\":\"3\"}\n{\"id\":\"4\"}\n"
        );
        assert!(!out.with_extension("storyhash-tmp").exists());
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
