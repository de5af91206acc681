//! Opening one input as a stream of bytes. A path goes in (`-` for stdin), a buffered reader
//! of the *decompressed* bytes comes out: `*.gz` is gunzipped (all members, as `gzip -c a b`
//! concatenates them), zstd is unzstd'ed, anything else is read as is. The content decides (the
//! gzip and zstd magic numbers, which no text starts with), so a compressed file under a plain
//! name, or piped in on stdin, is read right; the extension decides only for an input too short
//! to tell, and for outputs ([`compressing`]). Errors while reading surface from the returned
//! reader, and the format readers report them with the path.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use storyhash_core::error::{Error, Result};

/// A writer into `inner` that compresses as `path`'s extension says (`*.gz`, `*.zst`, or
/// nothing), so that an output named like an input can be read back as one. `finish` ends the
/// compressed stream; dropping the writer without it leaves the stream incomplete.
pub fn compressing(path: &Path, inner: File) -> Result<Box<dyn FinishWrite>> {
    let w = std::io::BufWriter::with_capacity(BUFFER_CAPACITY, inner);
    Ok(match Compression::of(path) {
        Compression::Gzip => Box::new(flate2::write::GzEncoder::new(
            w,
            flate2::Compression::default(),
        )),
        Compression::Zstd => {
            Box::new(zstd::stream::write::Encoder::new(w, 3).map_err(|e| Error::io(path, e))?)
        }
        Compression::None => Box::new(w),
    })
}

/// A writer that must be finished (a compressed stream's trailer, a buffer's flush).
pub trait FinishWrite: std::io::Write {
    /// Write out everything and end the stream.
    fn finish(self: Box<Self>) -> std::io::Result<()>;
}

impl FinishWrite for std::io::BufWriter<File> {
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        let f = self.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    }
}

impl FinishWrite for flate2::write::GzEncoder<std::io::BufWriter<File>> {
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        Box::new((*self).finish()?).finish()
    }
}

impl FinishWrite for zstd::stream::write::Encoder<'static, std::io::BufWriter<File>> {
    fn finish(self: Box<Self>) -> std::io::Result<()> {
        Box::new((*self).finish()?).finish()
    }
}

/// Capacity of the buffer in front of every input. Large enough that per-read overhead
/// (syscalls, decoder calls) is noise next to parsing, small enough to be free per input.
const BUFFER_CAPACITY: usize = 256 * 1024;

/// How the bytes of a file are encoded, decided by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    Gzip,
    Zstd,
    None,
}

impl Compression {
    fn of(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("gz") => Compression::Gzip,
            Some(e) if e.eq_ignore_ascii_case("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// Open `path` (`-` is stdin) for reading, decompressing `*.gz` and `*.zst` on the fly.
///
/// The reader is always buffered (256 KiB). Failing to open the file (or to set up the zstd
/// decoder) is an [`Error::Io`] naming `path`; errors while reading come from the reader.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    if path == Path::new("-") {
        // `Stdin::lock()` gives a BufRead, but the guard is not `Send`; the unlocked handle
        // locks per read, which the outer buffer makes rare.
        return decoded(
            path,
            BufReader::with_capacity(BUFFER_CAPACITY, std::io::stdin()),
        );
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    decoded(path, BufReader::with_capacity(BUFFER_CAPACITY, file))
}

/// The gzip and zstd magic numbers: no UTF-8 text starts with either (0x8b and 0xb5 are
/// continuation bytes), so the content tells a compressed input from a text one.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// `input` decompressed as its first bytes say (a `.gz` named `.jsonl`, or piped in on stdin,
/// is read as gzip), falling back on the name's extension for an input too short to tell.
fn decoded<R: Read + Send + 'static>(
    path: &Path,
    mut input: BufReader<R>,
) -> Result<Box<dyn BufRead + Send>> {
    let head = input.fill_buf().map_err(|e| Error::io(path, e))?;
    let kind = if head.starts_with(GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(ZSTD_MAGIC) {
        Compression::Zstd
    } else if head.len() >= ZSTD_MAGIC.len() {
        Compression::None
    } else {
        Compression::of(path)
    };
    Ok(match kind {
        // MultiGz, not Gz: a plain GzDecoder stops silently after the first member, dropping
        // the rest of a concatenated or pigz/bgzip-written file.
        Compression::Gzip => buffered(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Zstd => buffered(
            zstd::stream::read::Decoder::with_buffer(input).map_err(|e| Error::io(path, e))?,
        ),
        Compression::None => Box::new(input),
    })
}

fn buffered(inner: impl Read + Send + 'static) -> Box<dyn BufRead + Send> {
    Box::new(BufReader::with_capacity(BUFFER_CAPACITY, inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(path: &Path) -> String {
        let mut s = String::new();
        open(path).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn plain_file_is_read_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "hello\nworld\n").unwrap();
        assert_eq!(read_all(&p), "hello\nworld\n");
    }

    #[test]
    fn gz_file_is_decompressed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl.gz");
        std::fs::write(&p, gzip(b"compressed text\n")).unwrap();
        assert_eq!(read_all(&p), "compressed text\n");
    }

    #[test]
    fn gz_with_several_members_is_read_to_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.gz");
        let mut bytes = gzip(b"first\n");
        bytes.extend(gzip(b"second\n"));
        std::fs::write(&p, bytes).unwrap();
        assert_eq!(read_all(&p), "first\nsecond\n");
    }

    #[test]
    fn zst_file_is_decompressed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv.zst");
        std::fs::write(&p, zstd::encode_all(&b"id,text\n1,x\n"[..], 3).unwrap()).unwrap();
        assert_eq!(read_all(&p), "id,text\n1,x\n");
    }

    #[test]
    fn extension_is_matched_case_insensitively() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("A.JSONL.GZ");
        std::fs::write(&p, gzip(b"upper\n")).unwrap();
        assert_eq!(read_all(&p), "upper\n");
    }

    #[test]
    fn extension_only_counts_at_the_end() {
        // "x.gz.txt" is a plain file even though ".gz" appears in the name.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gz.txt");
        std::fs::write(&p, "not gzip").unwrap();
        assert_eq!(read_all(&p), "not gzip");
    }

    #[test]
    fn missing_file_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing.jsonl");
        match open(&p) {
            Err(Error::Io { path, source }) => {
                assert_eq!(path, p);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("opened a missing file"),
        }
    }

    #[test]
    fn corrupt_gz_fails_when_read_not_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.gz");
        std::fs::write(&p, b"\x1f\x8b this is not gzip after its magic").unwrap();
        let mut reader = open(&p).unwrap();
        let mut s = String::new();
        assert!(reader.read_to_string(&mut s).is_err());
    }

    /// Regression: compression was told by the extension alone, so a gzip file named `.jsonl`
    /// (or piped in) was parsed as text.
    #[test]
    fn compression_is_told_by_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"{\"id\":\"a\"}\n").unwrap();
        let gz = e.finish().unwrap();
        let named_plain = dir.path().join("feed.jsonl");
        std::fs::write(&named_plain, &gz).unwrap();
        assert_eq!(read_all(&named_plain), "{\"id\":\"a\"}\n");
        let zst = zstd::encode_all(&b"plain"[..], 3).unwrap();
        let p = dir.path().join("feed.txt");
        std::fs::write(&p, zst).unwrap();
        assert_eq!(read_all(&p), "plain");
        // Text under a compressed name is text.
        let p = dir.path().join("mislabelled.gz");
        std::fs::write(&p, "just text").unwrap();
        assert_eq!(read_all(&p), "just text");
    }

    #[test]
    fn dash_is_stdin() {
        // Only checks that `-` is not taken for a file name; nothing is read, so the test
        // does not depend on what the harness connects to stdin.
        assert!(open(Path::new("-")).is_ok());
    }

    #[test]
    fn reader_is_buffered_with_large_capacity() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        std::fs::write(&p, vec![b'x'; 2 * BUFFER_CAPACITY]).unwrap();
        let mut reader = open(&p).unwrap();
        // One fill_buf returns as much as the buffer holds (a regular file fills it fully).
        assert_eq!(reader.fill_buf().unwrap().len(), BUFFER_CAPACITY);
    }
}
