//! Fuzz target: see `juxta::fuzzing::markdown`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juxta::fuzzing::markdown(data));
