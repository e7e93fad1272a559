#![no_main]
//! Fuzz target: see `gklint_tests::fuzz::docx`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gklint_tests::fuzz::docx(data));
