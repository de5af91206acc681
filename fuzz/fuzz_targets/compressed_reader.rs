//! Any bytes as a .gz and as a .zst JSONL input: decompression errors are fine (they end the
//! stream with an I/O error), panics and hangs are bugs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use storyhash::corpus::{open, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("storyhash-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    for ext in ["jsonl.gz", "jsonl.zst"] {
        let path = dir.join(format!("input.{ext}"));
        if std::fs::write(&path, data).is_ok() {
            if let Ok(stream) = open(&path, &ReadOptions::default()) {
                for item in stream.take(100_000) {
                    let _ = item;
                }
            }
        }
    }
});
