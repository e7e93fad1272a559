//! Replays the inputs kept from fuzzing (`tests/fixtures/fuzz/<target>/`)
//! through the fuzz targets' bodies: each once crashed, hung or was
//! otherwise interesting, and must now pass within its time.

use std::time::{Duration, Instant};

use gklint_tests::{fuzz, root};

fn replay(target: &str, body: fn(&[u8])) {
    let dir = root().join("fixtures/fuzz").join(target);
    let mut n = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let start = Instant::now();
        body(&data);
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(10),
            "{} took {took:?}",
            path.display()
        );
        n += 1;
    }
    assert!(n > 0, "no inputs in {}", dir.display());
}

#[test]
fn text_inputs() {
    replay("text", fuzz::text);
}

#[test]
fn markdown_inputs() {
    replay("markdown", fuzz::markdown);
}

#[test]
fn html_inputs() {
    replay("html", fuzz::html);
}

#[test]
fn docx_inputs() {
    replay("docx", fuzz::docx);
}

#[test]
fn pack_inputs() {
    replay("pack", fuzz::pack);
}
