#![no_main]
//! Fuzz target: the language server's message reader over any byte stream;
//! see `gklint_lsp::transport::fuzz_stream`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gklint_lsp::transport::fuzz_stream(data));
