//! Mutations of valid inputs: the moves a coverage-guided fuzzer makes most (bit flips,
//! interesting bytes, inserts, deletes, splices from another seed, truncation), plus
//! ones that know the formats: LEB128 lengths grown or shrunk, and Automerge checksums
//! made to match, so a mutation gets past the checksum into the parsers behind it.

use dialbook_tests::hostile;
use rand::rngs::SmallRng;
use rand::Rng;

const INTERESTING: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x3f, 0x40, 0xc0];

/// A mutated copy of one of `seeds` (another one is spliced from).
pub fn bytes(rng: &mut SmallRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let (input, other) = (rng.random_range(0..seeds.len()), rng.random_range(0..seeds.len()));
    mutated(rng, &seeds[input], &seeds[other])
}

/// Like [`bytes`], and half the time with the Automerge checksum fixed afterwards.
pub fn chunk(rng: &mut SmallRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let (input, other) = (rng.random_range(0..seeds.len()), rng.random_range(0..seeds.len()));
    chunk_of(rng, &seeds[input], &seeds[other])
}

/// `input` mutated as a chunk, splicing from `other`.
pub fn chunk_of(rng: &mut SmallRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let out = mutated(rng, input, other);
    if rng.random_bool(0.5) { hostile::rechecksum(&out) } else { out }
}

/// A mutated copy of `input`; `other` is a second seed to splice from.
pub fn mutated(rng: &mut SmallRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        step(rng, &mut out, other);
    }
    out
}

fn step(rng: &mut SmallRng, out: &mut Vec<u8>, other: &[u8]) {
    if out.is_empty() {
        out.push(rng.random());
        return;
    }
    let at = rng.random_range(0..out.len());
    match rng.random_range(0..9) {
        0 | 1 => out[at] ^= 1 << rng.random_range(0..8),
        2 => out[at] = INTERESTING[rng.random_range(0..INTERESTING.len())],
        3 => out[at] = rng.random(),
        4 => {
            let n = rng.random_range(1..=8);
            let fill: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            out.splice(at..at, fill);
        }
        5 => {
            let end = (at + rng.random_range(1..=16)).min(out.len());
            out.drain(at..end);
        }
        6 if !other.is_empty() => {
            let from = rng.random_range(0..other.len());
            let end = (from + rng.random_range(1..=64)).min(other.len());
            let end_here = (at + rng.random_range(0..=64)).min(out.len());
            out.splice(at..end_here, other[from..end].iter().copied());
        }
        7 => out.truncate(at),
        _ => {
            // A LEB128 length grown to something large: a multi-byte varint of ones.
            let n = rng.random_range(1..=9);
            out.splice(at..at, std::iter::repeat_n(0xff, n).chain([0x7f]));
        }
    }
}

/// A mutated string: one of `seeds` mutated as bytes, then read as UTF-8 (lossily).
pub fn text(rng: &mut SmallRng, seeds: &[&str]) -> String {
    let (input, other) = (rng.random_range(0..seeds.len()), rng.random_range(0..seeds.len()));
    String::from_utf8_lossy(&mutated(rng, seeds[input].as_bytes(), seeds[other].as_bytes())).into_owned()
}

/// Picks one of `seeds`.
pub fn pick<'a, T>(rng: &mut SmallRng, seeds: &'a [T]) -> &'a T {
    &seeds[rng.random_range(0..seeds.len())]
}

/// An rng for a target, from the run's seed and the target's name.
pub fn rng(seed: u64, name: &str) -> SmallRng {
    let salt = name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    <SmallRng as rand::SeedableRng>::seed_from_u64(seed ^ salt)
}
