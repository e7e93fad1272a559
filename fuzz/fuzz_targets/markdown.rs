#![no_main]
//! Fuzz target: see `gklint_tests::fuzz::markdown`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| gklint_tests::fuzz::markdown(data));
