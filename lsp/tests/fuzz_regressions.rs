//! The message reader's fuzz target (`fuzz/fuzz_targets/lsp_message.rs`)
//! on stable: the inputs kept in `tests/fixtures/fuzz/lsp_message/` (seeds,
//! and any input the fuzzer found failing), and a bounded random walk from
//! them (bytes flipped, cut, repeated, headers spliced in), each within its
//! time.

use std::time::{Duration, Instant};

use gklint_lsp::transport::fuzz_stream;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/lsp_message");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let out: Vec<_> = files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

fn timed(name: &str, data: &[u8]) {
    let start = Instant::now();
    fuzz_stream(data);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "{name} took {took:?}");
}

#[test]
fn kept_inputs() {
    for (name, data) in inputs() {
        timed(&name, &data);
    }
}

#[test]
fn random_walk_from_the_kept_inputs() {
    let seeds = inputs();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    const SPLICES: [&[u8]; 6] = [
        b"Content-Length: 2\r\n\r\n{}",
        b"Content-Length: 99999999999\r\n\r\n",
        b"\r\n\r\n",
        b"\\ud800",
        b"content-length:",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"shutdown\"}",
    ];
    for round in 0..20_000 {
        let (_, seed) = &seeds[next() as usize % seeds.len()];
        let mut data = seed.clone();
        for _ in 0..1 + next() % 4 {
            let at = if data.is_empty() {
                0
            } else {
                next() as usize % data.len()
            };
            match next() % 4 {
                0 if !data.is_empty() => data[at] = next() as u8,
                1 => data.truncate(at),
                2 => {
                    let s = SPLICES[next() as usize % SPLICES.len()];
                    data.splice(at..at, s.iter().copied());
                }
                _ => {
                    let piece = data[at..].to_vec();
                    data.extend(piece);
                }
            }
        }
        timed(&format!("round {round}"), &data);
    }
}
