//! Helpers shared by the CLI's integration tests.

#![allow(dead_code)] // each test binary uses its own part

pub mod lsp_stdio;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const SEED_001: &str = "seeds/001_2502c89aab11ed1e.txt";
pub const SEED_004: &str = "seeds/004_c70ffb9ddb659733.txt";

/// A report under `tests/fixtures/corpus/`.
pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/corpus")
        .join(rel)
}

/// A file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
}

pub fn gklint() -> Command {
    Command::cargo_bin("gklint").expect("binary built")
}

pub fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("JSON output")
}

/// A temporary folder with copies of corpus files.
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, src) in files {
        let to = dir.path().join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(corpus(src), to).unwrap();
    }
    dir
}
