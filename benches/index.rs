//! Archive-index figures on an index that `benches/index/run.sh` built: open time, query
//! latency one article at a time (scoring included), durable single-article adds, and peak
//! RSS. One thread (`RAYON_NUM_THREADS=1` is set by the script; the pool is also built with
//! one thread here), so the figures are per core.
//!
//! ```sh
//! cargo bench --bench index -- --dir IDX --queries queries.jsonl [--adds 1000]
//! ```
//!
//! Queries are JSONL records with `id` and `text`. Adds store the first `--adds` queries
//! under new ids (`bench-add-N`), each in its own durable commit, then remove them again in
//! one commit so that a second run measures the same index (their postings stay as removed
//! until `storyhash index compact`).

use std::path::PathBuf;
use std::time::{Duration, Instant};
use storyhash::index::{AddOptions, Index};
use storyhash::Article;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    // `cargo bench` runs every bench target; without --dir this one has nothing to measure.
    let Some(dir) = arg("--dir").map(PathBuf::from) else {
        eprintln!("index bench: no --dir given; see benches/index/run.sh");
        return;
    };
    let queries = PathBuf::from(arg("--queries").expect("--queries FILE"));
    let adds: usize = arg("--adds").map_or(1000, |v| v.parse().expect("--adds N"));
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("one-thread pool");

    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let index = Index::open(&dir).expect("open the index");
        opens.push(t.elapsed());
        drop(index);
    }
    opens.sort();
    let index = Index::open(&dir).expect("open the index");
    let stats = index.stats().expect("stats");
    println!(
        "index: {} articles, {} postings in {} segments, {} bytes on disk ({:.0} per article)",
        stats.documents,
        stats.postings,
        stats.segments,
        stats.file_bytes,
        stats.file_bytes as f64 / stats.documents.max(1) as f64
    );
    println!(
        "open: median {}, max {} (5 opens)",
        ms(opens[2]),
        ms(opens[4])
    );

    let articles: Vec<Article> = std::fs::read_to_string(&queries)
        .expect("read the queries")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON record");
            Article::new(
                v["id"].as_str().expect("an id"),
                v["text"].as_str().expect("a text"),
            )
        })
        .collect();
    // Warm the page cache and the allocator: the figures are of a serving process.
    for a in articles.iter().take(50) {
        index.query(vec![a.clone()]).expect("query");
    }
    let mut lat = Vec::with_capacity(articles.len());
    let mut matched = 0usize;
    for a in &articles {
        let t = Instant::now();
        let ans = index.query(vec![a.clone()]).expect("query");
        lat.push(t.elapsed());
        matched += usize::from(!ans[0].matches.is_empty());
    }
    lat.sort();
    println!(
        "query, one at a time ({} articles, {} with a match): p50 {}, p90 {}, p99 {}, max {}",
        lat.len(),
        matched,
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.90)),
        ms(percentile(&lat, 0.99)),
        ms(percentile(&lat, 1.0))
    );

    let mut add_lat = Vec::with_capacity(adds);
    let mut ids = Vec::with_capacity(adds);
    let started = Instant::now();
    for (i, a) in articles.iter().take(adds).enumerate() {
        let id = format!("bench-add-{i}");
        let t = Instant::now();
        index
            .add(
                vec![Article::new(id.clone(), a.text.clone())],
                AddOptions::default(),
            )
            .expect("add");
        add_lat.push(t.elapsed());
        ids.push(id);
    }
    let secs = started.elapsed().as_secs_f64();
    add_lat.sort();
    println!(
        "add, one durable commit each ({} articles): {:.0} articles/s, p50 {}, p99 {}",
        add_lat.len(),
        add_lat.len() as f64 / secs.max(1e-9),
        ms(percentile(&add_lat, 0.50)),
        ms(percentile(&add_lat, 0.99))
    );
    if !ids.is_empty() {
        index.remove_ids(&ids).expect("remove the bench's adds");
    }
    println!("peak RSS of this process: {:.0} MB", peak_rss_mb());
}
