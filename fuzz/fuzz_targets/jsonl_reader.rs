//! Any bytes through the JSONL reader: errors are fine, panics and hangs are bugs; never more
//! items than non-blank lines (plus one for a read error).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use storyhash::corpus::{read_bytes, InputFormat, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    if let Ok(stream) = read_bytes(data.to_vec(), Path::new("fuzz.jsonl"), InputFormat::Jsonl, &ReadOptions::default()) {
        assert!(stream.count() <= lines + 1);
    }
});
