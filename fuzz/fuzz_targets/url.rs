//! Fuzz target: see `juxta::fuzzing::url`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juxta::fuzzing::url(data));
