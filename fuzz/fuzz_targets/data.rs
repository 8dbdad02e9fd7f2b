//! Fuzz target: see `juxta::fuzzing::data`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juxta::fuzzing::data(data));
