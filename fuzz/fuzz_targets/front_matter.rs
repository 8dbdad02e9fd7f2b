//! Fuzz target: see `juxta::fuzzing::front_matter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juxta::fuzzing::front_matter(data));
