//! The fuzz targets' bodies, run over the committed seed corpus and over random inputs in
//! the ordinary test suite: a parser regression fails here even without cargo-fuzz.

use rand::{Rng, SeedableRng};
use std::path::Path;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let files: Vec<Vec<u8>> = std::fs::read_dir(&dir).expect("seed corpus").flatten().map(|e| std::fs::read(e.path()).unwrap()).collect();
    assert!(files.len() >= 5, "the seed corpus of {target} is there");
    files
}

#[test]
fn frame_decoder_survives_its_corpus_and_random_bytes() {
    for seed in corpus("frame_decoder") {
        mend_sync::frame::fuzz_entry(&seed);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..20_000 {
        let len = rng.random_range(0..96);
        let mut b: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        // Often a plausible header, so the decoder gets past the length check.
        if len > 5 && rng.random_bool(0.5) {
            b[..4].copy_from_slice(&((len - 4) as u32).to_be_bytes());
        }
        mend_sync::frame::fuzz_entry(&b);
    }
}

#[test]
fn ticket_parser_survives_its_corpus_and_mutations() {
    let seeds = corpus("ticket_parse");
    let real = seeds.iter().find(|s| s.len() > 100).expect("a real ticket in the corpus").clone();
    assert!(mend_sync::Ticket::parse(std::str::from_utf8(&real).unwrap(), 0).is_ok(), "the real seed parses");
    for seed in &seeds {
        mend_sync::ticket::fuzz_entry(seed);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    for _ in 0..5_000 {
        let mut t = real.clone();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..t.len());
            match rng.random_range(0..3) {
                0 => t[i] = rng.random_range(b'a'..=b'z'),
                1 => {
                    t.remove(i);
                }
                _ => t.truncate(i),
            }
            if t.is_empty() {
                break;
            }
        }
        mend_sync::ticket::fuzz_entry(&t);
    }
}
