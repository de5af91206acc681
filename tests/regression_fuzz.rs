//! Hostile inputs through the public reading and text API: no panic, sensible results. Inputs
//! found by `fuzz/run.sh` that break something are added here, named after the bug (none yet:
//! see fixtures/fuzz/README.md).

use std::path::Path;
use storyhash::corpus::{read_bytes, InputFormat, ReadOptions};
use storyhash::text::{normalize::normalize, tokenize::words};

fn jsonl(bytes: Vec<u8>) -> Vec<Result<storyhash::corpus::Document, storyhash::Error>> {
    read_bytes(
        bytes,
        Path::new("t.jsonl"),
        InputFormat::Jsonl,
        &ReadOptions::default(),
    )
    .unwrap()
    .collect()
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let mut line = "[".repeat(100_000);
    line.push('\n');
    let items = jsonl(line.into_bytes());
    assert_eq!(items.len(), 1);
    assert!(items[0].is_err());
}

#[test]
fn lone_surrogate_escape_is_an_error() {
    let items = jsonl(br#"{"id":"a","text":"\ud800"}"#.to_vec());
    assert_eq!(items.len(), 1);
    assert!(items[0].is_err());
}

#[test]
fn escaped_nul_and_control_characters_are_text() {
    let items = jsonl(b"{\"id\":\"a\",\"text\":\"a\\u0000b\\u0007c\"}\n".to_vec());
    assert_eq!(items[0].as_ref().unwrap().text, "a\u{0}b\u{7}c");
}

#[test]
fn unterminated_csv_quote_is_one_error_or_one_record_not_a_panic() {
    let items: Vec<_> = read_bytes(
        b"id,text\na,\"never closed\nb,x\n".to_vec(),
        Path::new("t.csv"),
        InputFormat::Csv,
        &ReadOptions::default(),
    )
    .unwrap()
    .collect();
    assert!(items.len() <= 2);
}

#[test]
fn ten_thousand_combining_marks_and_rtl_marks_normalise_and_tokenise() {
    let text = format!("a{}\u{200f}שלום\u{200e} b", "\u{301}".repeat(10_000));
    let n = normalize(&text);
    assert_eq!(normalize(&n), n);
    let w: Vec<&str> = words(&n).collect();
    assert!(w.contains(&"b"));
}
