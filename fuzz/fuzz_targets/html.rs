#![no_main]
//! Fuzz target: see `gklint_tests::fuzz::html`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gklint_tests::fuzz::html(data));
