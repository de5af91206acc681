//! Any bytes through the CSV reader: errors are fine, panics and hangs are bugs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use storyhash::corpus::{read_bytes, InputFormat, ReadOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(stream) = read_bytes(data.to_vec(), Path::new("fuzz.csv"), InputFormat::Csv, &ReadOptions::default()) {
        for item in stream {
            let _ = item;
        }
    }
});
