//! Automerge bytes from a client, checked before Automerge is given them.
//!
//! Automerge's own parser trusts what it reads more than a server can afford to: it
//! inflates a compressed change in full before looking at it, it does not compare a
//! change's checksum with its contents, and it walks a change's operations one by one
//! however many the run-length encoding claims (a 40-byte change can claim 2⁶³ of them).
//! Applying operations costs memory per operation. So every change a client sends passes
//! here first, and only what passes reaches Automerge:
//!
//! - a change is exactly one **uncompressed change chunk** (clients send `raw_bytes()`,
//!   which never compress): compressed chunks, documents and bundles are refused, so no
//!   client can make the server inflate anything;
//! - its **checksum** (the first four bytes of the SHA-256 the change's hash is) must match
//!   its contents, so a bit flipped on the way is refused, not stored;
//! - its **operation count**, read from the run lengths of its action column without
//!   decoding a single operation, is charged to a [`Budget`] before Automerge parses it:
//!   at most [`MAX_OPS_PER_CHANGE`] per change and [`MAX_OPS_PER_REQUEST`] per request.
//!
//! Sync messages of the per-doc fallback carry changes and Bloom filters; both are checked
//! by [`check_sync_message`]. What is refused is a plain message for the client: the
//! server answers it as a 4xx, never a 500.

use automerge::Change;
use automerge::sync::Message;
use sha2::{Digest, Sha256};

/// One change of honest editing is a handful of operations; a new lead is ~30, and
/// pasting the longest note a lead may hold (`lead::limits`) is 20,000.
pub const MAX_OPS_PER_CHANGE: u64 = 25_000;
/// A push of 1,000 new leads (the most one push may carry) is ~30,000 operations. Each
/// applied operation costs the server ~500 bytes while it is checked (measured in
/// `tests/tests/hostile_input.rs`), so this bounds what one request can make the server
/// allocate to ~50 MiB.
pub const MAX_OPS_PER_REQUEST: u64 = 100_000;
/// Automerge's Bloom filters use 10 bits per entry and 7 probes; each probe of a hash
/// costs the server an allocation, so larger claims are refused.
const MAX_BLOOM_BITS_PER_ENTRY: u64 = 64;
const MAX_BLOOM_PROBES: u64 = 32;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT: u8 = 0;
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED_CHANGE: u8 = 2;
/// The action column: column id 4, type unsigned integer (2); its run lengths say how
/// many operations the change has.
const ACTION_COLUMN: u64 = (4 << 4) | 2;
const DEFLATE_BIT: u64 = 0b1000;

/// Operations a request may still bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    ops_left: u64,
}

impl Budget {
    /// The budget of one request.
    pub fn per_request() -> Self {
        Self { ops_left: MAX_OPS_PER_REQUEST }
    }

    fn charge(&mut self, ops: u64) -> Result<(), String> {
        self.ops_left = self.ops_left.checked_sub(ops).ok_or_else(|| {
            format!("the request carries more than {MAX_OPS_PER_REQUEST} operations; send it in smaller pushes")
        })?;
        Ok(())
    }
}

/// Parse one change from a client, checked as the module docs say. The error says what
/// was wrong, for the client.
pub fn parse_change(bytes: &[u8], budget: &mut Budget) -> Result<Change, String> {
    let ops = check_change_chunk(bytes)?;
    if ops > MAX_OPS_PER_CHANGE {
        return Err(format!("it has {ops} operations; a change may have at most {MAX_OPS_PER_CHANGE}"));
    }
    budget.charge(ops)?;
    let change = Change::try_from(bytes).map_err(|e| format!("it is not a valid Automerge change: {e}"))?;
    // Automerge stops at the end of the action column, so it cannot have found more.
    debug_assert!(change.len() as u64 <= ops);
    Ok(change)
}

/// How many operations a change holds, read as [`parse_change`] reads it (and checked
/// as it checks it), without decoding them.
pub fn operations(bytes: &[u8]) -> Result<u64, String> {
    check_change_chunk(bytes)
}

/// Parse a doc's changes; the error names which change was bad.
pub fn parse_changes(raw: &[Vec<u8>], budget: &mut Budget) -> Result<Vec<Change>, String> {
    raw.iter().enumerate().map(|(i, bytes)| parse_change(bytes, budget).map_err(|e| format!("change {i}: {e}"))).collect()
}

/// Check a fallback sync message's changes and Bloom filters, charging the changes to
/// `budget`.
pub fn check_sync_message(message: &Message, budget: &mut Budget) -> Result<(), String> {
    for (i, chunk) in message.changes.iter().enumerate() {
        parse_change(chunk, budget).map_err(|e| format!("change {i} of the sync message: {e}"))?;
    }
    for have in &message.have {
        let bloom = have.bloom.to_bytes();
        let mut r = Reader::new(&bloom);
        if r.done() {
            continue;
        }
        let _entries = r.uleb()?;
        let bits_per_entry = r.uleb()?;
        let probes = r.uleb()?;
        if bits_per_entry > MAX_BLOOM_BITS_PER_ENTRY || probes > MAX_BLOOM_PROBES {
            return Err(format!(
                "the sync message's Bloom filter asks for {bits_per_entry} bits per entry and {probes} probes; at most {MAX_BLOOM_BITS_PER_ENTRY} and {MAX_BLOOM_PROBES}"
            ));
        }
    }
    Ok(())
}

/// Checks the chunk's framing and checksum, and returns how many operations its action
/// column holds (an upper bound on what Automerge will decode).
fn check_change_chunk(bytes: &[u8]) -> Result<u64, String> {
    let mut r = Reader::new(bytes);
    if r.take(4)? != MAGIC {
        return Err("it is not an Automerge chunk (wrong magic bytes)".into());
    }
    let checksum = r.take(4)?;
    match r.byte()? {
        CHUNK_CHANGE => {}
        CHUNK_COMPRESSED_CHANGE => return Err("compressed changes are not accepted; send each change's raw bytes".into()),
        CHUNK_DOCUMENT => return Err("it is a whole document, not a change".into()),
        other => return Err(format!("chunk type {other} is not a change")),
    }
    let len_at = r.pos;
    let len = r.uleb()?;
    let header_len = r.pos;
    if len != (bytes.len() - header_len) as u64 {
        return Err(format!("its header says {len} bytes but {} follow", bytes.len() - header_len));
    }
    if header_len - len_at != uleb_size(len) {
        return Err("its length is not minimally encoded".into());
    }
    let digest = Sha256::new().chain_update(&bytes[8..]).finalize();
    if digest[..4] != *checksum {
        return Err("its checksum does not match its contents (corrupted on the way?)".into());
    }
    count_ops(&bytes[header_len..])
}

/// Walks the change's header to its column metadata and sums the action column's run
/// lengths (Automerge's RLE: a positive count repeats one value, a negative count is a
/// run of literals, zero is a run of nulls).
fn count_ops(data: &[u8]) -> Result<u64, String> {
    let mut r = Reader::new(data);
    let deps = r.uleb()?;
    for _ in 0..deps {
        r.take(32)?;
    }
    r.bytes()?; // actor
    r.uleb()?; // seq
    r.uleb()?; // start op
    r.sleb()?; // time
    r.bytes()?; // message
    let other_actors = r.uleb()?;
    for _ in 0..other_actors {
        r.bytes()?;
    }
    let columns = r.uleb()?;
    let mut specs = Vec::new();
    for _ in 0..columns {
        let spec = r.uleb()?;
        let len = r.uleb()?;
        specs.push((spec, len));
    }
    let mut offset = r.pos as u64;
    let mut action = None;
    for (spec, len) in specs {
        let end = offset.checked_add(len).filter(|&e| e <= data.len() as u64).ok_or("its columns run past its end")?;
        if spec & !DEFLATE_BIT == ACTION_COLUMN {
            action = Some((offset as usize, end as usize));
        }
        offset = end;
    }
    let Some((start, end)) = action else { return Ok(0) };
    let mut col = Reader::new(&data[start..end]);
    let mut ops: u64 = 0;
    while !col.done() {
        let count = col.sleb()?;
        let run = if count > 0 {
            col.uleb()?;
            count.unsigned_abs()
        } else if count < 0 {
            let n = count.unsigned_abs();
            // Each literal is at least a byte: a run cannot hold more than what is left.
            if n > col.left() as u64 {
                return Err("its action column is truncated".into());
            }
            for _ in 0..n {
                col.uleb()?;
            }
            n
        } else {
            col.uleb()?
        };
        ops = ops.saturating_add(run);
        if ops > MAX_OPS_PER_CHANGE {
            return Ok(ops);
        }
    }
    Ok(ops)
}

fn uleb_size(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// A cursor over bytes that reads LEB128 numbers and refuses to run past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err("it is truncated".into());
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// A length-prefixed byte string.
    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.uleb()?;
        self.take(usize::try_from(n).map_err(|_| "a length is out of range")?)
    }

    fn uleb(&mut self) -> Result<u64, String> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return Err("a number is out of range".into());
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number is out of range".into())
    }

    fn sleb(&mut self) -> Result<i64, String> {
        let mut value: i64 = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift == 63 && b != 0 && b != 0x7f {
                return Err("a number is out of range".into());
            }
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
            if shift > 63 {
                return Err("a number is out of range".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT};

    fn change_with(ops: usize) -> Vec<u8> {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "notes", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, &"x".repeat(ops.saturating_sub(1))).unwrap();
        doc.get_changes(&[]).last().unwrap().raw_bytes().to_vec()
    }

    #[test]
    fn counts_the_operations_automerge_finds() {
        for ops in [1, 2, 10, 300, 20_000] {
            let bytes = change_with(ops);
            let change = parse_change(&bytes, &mut Budget::per_request()).unwrap();
            assert_eq!(check_change_chunk(&bytes).unwrap(), change.len() as u64);
            assert_eq!(change.len(), ops);
        }
    }

    #[test]
    fn a_deletion_of_many_characters_is_a_few_bytes_and_still_counted() {
        let mut doc = AutoCommit::new();
        let text = doc.put_object(ROOT, "notes", ObjType::Text).unwrap();
        doc.splice_text(&text, 0, 0, &"y".repeat(4_000)).unwrap();
        doc.commit();
        doc.splice_text(&text, 0, 4_000, "").unwrap();
        let bytes = doc.get_changes(&[]).last().unwrap().raw_bytes().to_vec();
        assert!(bytes.len() < 200, "{}", bytes.len());
        assert_eq!(check_change_chunk(&bytes).unwrap(), 4_000);
    }

    #[test]
    fn every_flipped_bit_is_refused() {
        let bytes = change_with(40);
        for i in 0..bytes.len() * 8 {
            let mut bad = bytes.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(parse_change(&bad, &mut Budget::per_request()).is_err(), "bit {i} flipped was accepted");
        }
    }

    #[test]
    fn compressed_changes_are_refused_before_inflating() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "notes", "z".repeat(2_000)).unwrap();
        let mut change = doc.get_changes(&[]).last().unwrap().clone();
        let compressed = change.bytes().to_vec();
        assert_eq!(compressed[8], CHUNK_COMPRESSED_CHANGE, "automerge compresses a change this big");
        let err = parse_change(&compressed, &mut Budget::per_request()).unwrap_err();
        assert!(err.contains("compressed"), "{err}");
    }

    #[test]
    fn the_request_budget_is_shared_by_its_changes() {
        let bytes = change_with(20_000);
        let mut budget = Budget::per_request();
        for _ in 0..(MAX_OPS_PER_REQUEST / 20_000) {
            parse_change(&bytes, &mut budget).unwrap();
        }
        let err = parse_change(&bytes, &mut budget).unwrap_err();
        assert!(err.contains("smaller pushes"), "{err}");
    }
}
