//! The `storyhash` command line: parse arguments, run a subcommand, map errors to exit codes
//! (0 ok, 2 bad usage or bad input).

mod cli;

use clap::Parser;
use std::process::ExitCode;

// mimalloc: every document brings a few short-lived allocations (its id and text from the
// parser, its signature), which mimalloc serves faster than the system allocator. It is built
// without transparent huge pages (`no_thp` in Cargo.toml): with them, purged pages come back
// as 2 MB faults that the kernel must zero.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("storyhash: error: {e}");
            if let Some(hint) = cli::hint(&e) {
                eprintln!("hint: {hint}");
            }
            // A bug is not bad input: a script told 2 would fix its input in vain.
            ExitCode::from(if matches!(e, storyhash::Error::Internal(_)) {
                1
            } else {
                2
            })
        }
    }
}
