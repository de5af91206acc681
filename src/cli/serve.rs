//! `storyhash serve DIR`: the HTTP JSON API over an index. The server itself (routes, bodies,
//! errors, graceful shutdown) is `storyhash-serve`; this file turns arguments into its options.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use storyhash::index::Index;
use storyhash::Error;
use storyhash_serve::{Limits, Options, RunError};

/// `storyhash serve DIR`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The index directory (made with `storyhash index create`).
    dir: PathBuf,
    /// Where to listen, HOST:PORT (port 0: any free port). The default is loopback only: the
    /// API has no authentication, so put anything wider behind a proxy that has.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "HOST:PORT")]
    addr: SocketAddr,
    /// Also print the bound address (HOST:PORT) alone on a line of stdout once listening, for
    /// scripts (with port 0).
    #[arg(long)]
    print_addr: bool,
    /// Largest request body (413 past it): bytes, or with a unit K, M or G (powers of 1024).
    #[arg(long, default_value = "8M", value_name = "SIZE", value_parser = parse_size)]
    body_limit: usize,
    /// Largest article, its text and title together (413 past it): bytes, or with K, M or G.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = parse_size)]
    max_article_bytes: usize,
    /// Most articles (or ids to remove) in one request (413 past it).
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_batch: u32,
    /// Threads answering requests, and as many matching articles (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// A size in bytes: digits, optionally followed by K, M or G (KiB, MiB, GiB; `B` and `iB` may
/// follow the letter).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: usize = n
        .parse()
        .map_err(|_| format!("expected a size like 8M or 65536, got {s:?}"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("unknown unit in {s:?}: use K, M or G")),
    };
    let bytes = n
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes == 0 {
        return Err("a size must be more than 0 bytes".into());
    }
    Ok(bytes)
}

/// Run `storyhash serve`.
pub fn run(a: ServeArgs) -> Result<ExitCode, Error> {
    // The index matches a request's articles on rayon's pool: the same bound applies.
    super::init_threads(a.threads)?;
    // Opened before binding: an index another process holds is refused here, with the reason.
    let index = Index::open(&a.dir)?;
    let opts = Options {
        addr: a.addr,
        limits: Limits {
            body_bytes: a.body_limit,
            article_bytes: a.max_article_bytes,
            batch: a.max_batch as usize,
        },
        threads: a.threads,
        print_addr: a.print_addr,
    };
    match storyhash_serve::run(index, &opts) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("storyhash: error: {e}");
            if let RunError::Bind { source, .. } = &e {
                let hint = match source.kind() {
                    std::io::ErrorKind::AddrInUse => {
                        "another program listens on that port: pick another with --addr \
                         127.0.0.1:PORT (port 0: any free port, printed with --print-addr)"
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "ports below 1024 need privileges: pick a port of 1024 or more"
                    }
                    _ => "check that the address is one of this machine's (127.0.0.1: loopback)",
                };
                eprintln!("hint: {hint}");
            }
            Ok(ExitCode::from(2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_with_and_without_units() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
        assert!(parse_size("8X").is_err());
        assert!(parse_size("M").is_err());
    }
}
