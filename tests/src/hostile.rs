//! Bytes an attacker would send: Automerge chunks rewritten at the byte level, with
//! checksums made to match, so a test shows which check (and only which) refuses them.
//! Used by the hostile-input tests and the fuzz targets.

use sha2::{Digest, Sha256};
use std::io::Write as _;

pub const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// The action column's spec (column 4, unsigned integer): its run lengths count the ops.
const ACTION_COLUMN: u64 = (4 << 4) | 2;

/// A chunk of `chunk_type` around `data`, with the checksum Automerge would write.
pub fn chunk(chunk_type: u8, data: &[u8]) -> Vec<u8> {
    let mut body = vec![chunk_type];
    leb128::write::unsigned(&mut body, data.len() as u64).expect("writing to a Vec");
    body.extend_from_slice(data);
    let digest = Sha256::digest(&body);
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&digest[..4]);
    out.extend(body);
    out
}

/// The same chunk with its checksum made to match its (perhaps altered) contents.
pub fn rechecksum(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.len() >= 9 {
        let digest = Sha256::digest(&out[8..]);
        out[4..8].copy_from_slice(&digest[..4]);
    }
    out
}

/// A compressed change chunk (type 2) whose body inflates to `inflated` zero bytes:
/// a few hundred KB on the wire per 256 MiB in memory.
pub fn deflate_bomb(inflated: usize) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    let mut left = inflated;
    while left > 0 {
        let n = left.min(zeros.len());
        enc.write_all(&zeros[..n]).expect("writing to a Vec");
        left -= n;
    }
    chunk(2, &enc.finish().expect("writing to a Vec"))
}

/// `change` (raw bytes of a real change) with its action column replaced by one run of
/// `ops` identical actions: a change of a few dozen bytes that claims `ops` operations.
pub fn claiming_ops(change: &[u8], ops: i64) -> Vec<u8> {
    let mut r = &change[9..];
    let len = leb128::read::unsigned(&mut r).expect("a chunk length") as usize;
    let data = &r[..len];
    let mut d = data;
    let skip_bytes = |d: &mut &[u8]| {
        let n = leb128::read::unsigned(d).expect("a length") as usize;
        *d = &d[n..];
    };
    let deps = leb128::read::unsigned(&mut d).expect("deps") as usize;
    d = &d[32 * deps..];
    skip_bytes(&mut d); // actor
    leb128::read::unsigned(&mut d).expect("seq");
    leb128::read::unsigned(&mut d).expect("start op");
    leb128::read::signed(&mut d).expect("time");
    skip_bytes(&mut d); // message
    let others = leb128::read::unsigned(&mut d).expect("other actors");
    for _ in 0..others {
        skip_bytes(&mut d);
    }
    let mut out = data[..data.len() - d.len()].to_vec();
    let columns = leb128::read::unsigned(&mut d).expect("columns");
    let specs: Vec<(u64, usize)> = (0..columns)
        .map(|_| (leb128::read::unsigned(&mut d).expect("spec"), leb128::read::unsigned(&mut d).expect("len") as usize))
        .collect();
    let mut run = Vec::new();
    leb128::write::signed(&mut run, ops).expect("writing to a Vec");
    leb128::write::unsigned(&mut run, 1).expect("writing to a Vec"); // "set"
    let mut body = Vec::new();
    leb128::write::unsigned(&mut out, columns).expect("writing to a Vec");
    for (spec, len) in specs {
        let (col, rest) = d.split_at(len);
        d = rest;
        let col = if spec == ACTION_COLUMN { run.as_slice() } else { col };
        leb128::write::unsigned(&mut out, spec).expect("writing to a Vec");
        leb128::write::unsigned(&mut out, col.len() as u64).expect("writing to a Vec");
        body.extend_from_slice(col);
    }
    out.extend(body);
    out.extend_from_slice(d);
    chunk(1, &out)
}
