//! The Artifact Store: a durable 4 KiB put (target p50 ≤1 ms; the seed asked for 1–5 ms)
//! against a plain write + fsync of the same bytes; a cached get (target ≤20 µs) against a
//! plain file read; and search over 100,000 text artifacts (target p99 ≤20 ms) against
//! ripgrep (or grep when ripgrep is not installed) over the same texts as files.
//!
//! Run: `cargo bench --bench artifacts` (filling the store takes a minute or two).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pit::artifacts::{ArtifactId, ArtifactStore, PutOptions};

use support::{Rng, Stats, Table, Target, Value, count};

const WORDS: &[&str] = &[
    "pipeline",
    "model",
    "tensor",
    "report",
    "latency",
    "kernel",
    "vector",
    "summary",
    "deploy",
    "cache",
    "shard",
    "replica",
    "index",
    "query",
    "token",
    "budget",
    "audit",
    "workflow",
    "artifact",
    "lineage",
    "nightly",
    "checkpoint",
    "gradient",
    "embedding",
    "schema",
];

/// A text of about `len` bytes: common words, and one rare word per artifact.
fn text(rng: &mut Rng, i: usize, len: usize) -> String {
    let mut out = format!("doc{i} rare{} ", i % 1000);
    while out.len() < len {
        out.push_str(WORDS[(rng.next() % WORDS.len() as u64) as usize]);
        out.push(' ');
    }
    out
}

fn time(samples: usize, mut f: impl FnMut(usize)) -> Stats {
    let times: Vec<Duration> = (0..samples)
        .map(|i| {
            let started = Instant::now();
            f(i);
            started.elapsed()
        })
        .collect();
    Stats::of(&times)
}

fn plain_write_fsync(dir: &Path, i: usize, bytes: &[u8]) {
    let path = dir.join(format!("plain-{i}"));
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(bytes).unwrap();
    file.sync_all().unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(&dir.path().join("store")).unwrap();
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let mut rng = Rng(0x5eed);
    let blobs: Vec<Vec<u8>> = (0..count(500, 20))
        .map(|i| text(&mut rng, i, 4096).into_bytes()[..4096].to_vec())
        .collect();

    println!("durable put of 4 KiB:");
    let put = time(blobs.len(), |i| {
        store.put(&blobs[i], PutOptions::default()).unwrap();
    });
    put.line("ArtifactStore::put (blob + record, durable)");
    let raw = time(blobs.len(), |i| plain_write_fsync(&plain, i, &blobs[i]));
    raw.line("baseline: write + fsync of the same bytes");

    println!("get of a small artifact:");
    let ids: Vec<ArtifactId> = blobs.iter().map(|b| ArtifactId::of(b)).collect();
    for id in &ids {
        store.get(id).unwrap();
    }
    let get = time(count(20_000, 100), |i| {
        std::hint::black_box(store.get(&ids[i % ids.len()]).unwrap());
    });
    get.line("ArtifactStore::get, cached");
    let read = time(count(20_000, 100), |i| {
        std::hint::black_box(
            std::fs::read(plain.join(format!("plain-{}", i % ids.len()))).unwrap(),
        );
    });
    read.line("baseline: std::fs::read of the same bytes");

    let n = count(100_000, 2_000);
    println!("filling the store with {n} text artifacts of ~1 KiB…");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let started = Instant::now();
    for i in 0..n {
        let body = text(&mut rng, i, 1024);
        std::fs::write(corpus.join(format!("{i}.txt")), &body).unwrap();
        store.put(body.as_bytes(), PutOptions::default()).unwrap();
    }
    store.flush_index().unwrap();
    println!("  filled in {:.1} s", started.elapsed().as_secs_f64());
    let queries: Vec<String> = (0..200)
        .map(|i| format!("rare{}", (i * 37) % 1000))
        .collect();
    let search = time(count(1_000, 20), |i| {
        let hits = store.search(&queries[i % queries.len()], 10).unwrap();
        assert!(!hits.is_empty());
    });
    search.line("ArtifactStore::search (top 10)");
    let rg = if Command::new("rg").arg("--version").output().is_ok() {
        "rg"
    } else {
        println!("  (ripgrep is not installed: `apt install ripgrep`; using grep)");
        "grep"
    };
    let grep = time(count(20, 3), |i| {
        let mut command = Command::new(rg);
        if rg == "rg" {
            command.args(["-l", "-F", "-w"]);
        } else {
            command.args(["-rlFw"]);
        }
        let out = command
            .arg(&queries[i % queries.len()])
            .arg(&corpus)
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty());
    });
    grep.line(&format!("baseline: {rg} over the same texts as files"));

    let mut table = Table::default();
    let t = Value::Time;
    table.row(
        "durable 4 KiB put, p50",
        t(put.p50),
        "write + fsync alone",
        t(raw.p50),
        Target::AtMost(Duration::from_millis(1)),
    );
    table.row(
        "get, cached, p50",
        t(get.p50),
        "std::fs::read",
        t(read.p50),
        Target::AtMost(Duration::from_micros(20)),
    );
    table.row(
        &format!("search over {n} artifacts, p99"),
        t(search.p99),
        &format!("{rg} -l over the files"),
        t(grep.p50),
        Target::AtMost(Duration::from_millis(20)),
    );
    table.print("Artifact Store");
}
