//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::process::Output;

/// The built `storyhash` binary, ready for arguments.
pub fn storyhash() -> Command {
    Command::cargo_bin("storyhash").expect("binary builds")
}

/// Panic with the command's stderr unless it completed with records skipped (exit 3).
pub fn assert_partial(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Panic with the command's stderr unless it exited with success.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
