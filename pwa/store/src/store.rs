//! The phone's storage: IndexedDB through `indexed_db_futures`. Owns the database layout
//! and the encoding of what is stored; knows nothing of the UI or the network.
//!
//! Object stores (database `dialbook`, version 1):
//! - `docs`: doc id → the Automerge document's bytes and its acked heads (postcard);
//! - `summaries`: lead id → [`LeadSummary`] (postcard), read whole at start-up so the
//!   queue and search open without loading any Automerge document;
//! - `outbox`: doc id → 1 for every doc with edits the server has not acknowledged, so a
//!   restarted app knows what to push without loading every document;
//! - `meta`: small named values (session, pull cursor, device actor, outcome draft…).
//!
//! Every change is made inside one readwrite [`Tx`] and is durable only after
//! [`Tx::commit`] returns; a `Tx` dropped without commit rolls back, so a failure halfway
//! never leaves a doc without its summary or an edit without its outbox entry.

use automerge::ChangeHash;
use dialbook_core::summary::LeadSummary;
use dialbook_core::{DocId, LeadId};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use wasm_bindgen::JsValue;

pub const DB_NAME: &str = "dialbook";
const DB_VERSION: u32 = 1;
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const ALL: [&str; 4] = [DOCS, SUMMARIES, OUTBOX, META];

/// Something went wrong in the browser's storage. The message is shown to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Could not use this phone's storage: {}", self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError(e.to_string())
    }
}

impl From<postcard::Error> for StoreError {
    fn from(e: postcard::Error) -> Self {
        StoreError(format!("stored data is unreadable ({e})"))
    }
}

/// Names of the values in `meta`.
pub mod keys {
    /// The signed-in session (JSON).
    pub const SESSION: &str = "session";
    /// Whose data this phone holds (user id, JSON); kept after signing out, so the next
    /// person to sign in does not see it.
    pub const OWNER: &str = "owner";
    /// The pull cursor (opaque bytes from the server).
    pub const CURSOR: &str = "cursor";
    /// This install's Automerge actor id.
    pub const ACTOR: &str = "actor";
    /// Set once the first full sync has finished.
    pub const SYNCED: &str = "synced";
    /// The outcome sheet's draft (JSON), so it survives the app being killed.
    pub const DRAFT: &str = "draft";
    /// Leads skipped for now (JSON).
    pub const SKIPS: &str = "skips";
    /// The team's people, id → name (JSON).
    pub const MEMBERS: &str = "members";
    /// The team's settings as last read from the team document (postcard), so the app
    /// starts with them before its document module has loaded.
    pub const TEAM: &str = "team";
    /// Every summary in one value, as of when it was made ([`super::Store::snapshot_summaries`]):
    /// start-up reads one value instead of thousands.
    pub const SUMMARY_SNAPSHOT: &str = "summary-snapshot";
    /// Light, dark or the phone's setting, as chosen on this phone (`light`, `dark`,
    /// `system`).
    pub const THEME: &str = "theme";
    /// The team zone's offsets for the weeks ahead (JSON `dialbook_core::zone::OffsetTable`).
    pub const ZONE_OFFSETS: &str = "zone-offsets";
    /// Prefix of the marks `changed:<lead id>`: that lead's summary changed (or went)
    /// after the snapshot was made. Start-up reads those few summaries apart.
    pub const CHANGED: &str = "changed:";
}

/// Meta values that are not settings: the snapshot and the changed marks.
fn is_summary_bookkeeping(key: &str) -> bool {
    key == keys::SUMMARY_SNAPSHOT || key.starts_with(keys::CHANGED)
}

/// Summaries (postcard each) as one value: `[count: u32][count lengths: u32][the bytes,
/// one after another]`, little-endian. `pwa/boot.js` writes the same when it packs.
pub fn pack_summaries(summaries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 4 * summaries.len() + summaries.iter().map(Vec::len).sum::<usize>());
    out.extend((summaries.len() as u32).to_le_bytes());
    for s in summaries {
        out.extend((s.len() as u32).to_le_bytes());
    }
    for s in summaries {
        out.extend(s);
    }
    out
}

/// The summaries' bytes in a [`pack_summaries`] value.
pub fn unpack_summaries(packed: &[u8]) -> Result<Vec<&[u8]>> {
    let cut = || StoreError("start-up read: summaries cut short".into());
    let word = |at: usize| packed.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).ok_or_else(cut);
    let count = word(0)?;
    let mut at = 4 + 4 * count;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let length = word(4 + 4 * i)?;
        out.push(packed.get(at..at + length).ok_or_else(cut)?);
        at += length;
    }
    Ok(out)
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A document as kept on the phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    pub bytes: Vec<u8>,
    /// The heads the server is known to have.
    acked: Vec<[u8; 32]>,
    /// How many incremental chunks follow the last whole save in `bytes`.
    pub increments: u16,
    /// The heads of `bytes`, so that "does the server have all of it?" (after every push)
    /// is answered without loading the document. Empty in docs stored before it was kept.
    heads: Vec<[u8; 32]>,
}

/// [`StoredDoc`] as stored before it had `heads` (postcard has no default fields).
#[derive(Deserialize)]
struct StoredDocV1 {
    bytes: Vec<u8>,
    acked: Vec<[u8; 32]>,
    increments: u16,
}

fn raw(hashes: &[ChangeHash]) -> Vec<[u8; 32]> {
    hashes.iter().map(|h| h.0).collect()
}

impl StoredDoc {
    /// `bytes` of a document whose heads are `heads`, of which the server has `acked`.
    pub fn new(bytes: Vec<u8>, heads: &[ChangeHash], acked: &[ChangeHash]) -> Self {
        Self { bytes, acked: raw(acked), increments: 0, heads: raw(heads) }
    }

    /// [`StoredDoc::new`] with hashes as raw bytes.
    pub fn from_raw(bytes: Vec<u8>, heads: Vec<[u8; 32]>, acked: Vec<[u8; 32]>) -> Self {
        Self { bytes, acked, increments: 0, heads }
    }

    pub fn acked_raw(&self) -> &[[u8; 32]] {
        &self.acked
    }

    /// The same bytes, with what the server is now known to have.
    pub fn with_acked(self, acked: &[ChangeHash]) -> Self {
        Self { acked: raw(acked), ..self }
    }

    pub fn acked(&self) -> Vec<ChangeHash> {
        self.acked.iter().map(|h| ChangeHash(*h)).collect()
    }

    /// True when the server is known to have every change in `bytes`; false when it may
    /// not (heads unknown, or edits since the last ack): then the document has to tell.
    pub fn surely_clean(&self) -> bool {
        !self.heads.is_empty() && self.heads.iter().all(|h| self.acked.contains(h))
    }

    fn decode(bytes: &[u8]) -> Result<Self> {
        postcard::from_bytes(bytes).or_else(|e| match postcard::from_bytes::<StoredDocV1>(bytes) {
            Ok(v1) => Ok(Self { bytes: v1.bytes, acked: v1.acked, increments: v1.increments, heads: Vec::new() }),
            Err(_) => Err(StoreError::from(e)),
        })
    }
}

pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (creating on first use) the database called `name`; tests use their own names.
    pub async fn open(name: &str) -> Result<Self> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    for store in ALL {
                        db.create_object_store(store).build()?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(Self { db })
    }

    /// Every lead summary on the phone (as [`Store::start_read`] reads them).
    pub async fn summaries(&self) -> Result<Vec<LeadSummary>> {
        Ok(self.start_read().await?.summaries)
    }

    /// Docs with edits the server has not acknowledged.
    pub async fn outbox(&self) -> Result<Vec<DocId>> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let store = tx.object_store(OUTBOX)?;
        let keys = store.get_all_keys::<String>().primitive()?.await?;
        let mut out = Vec::new();
        for key in keys {
            // A key that no longer parses (an id format from a newer version) is skipped.
            if let Ok(id) = DocId::parse(&key?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    pub async fn doc(&self, id: &DocId) -> Result<Option<StoredDoc>> {
        let tx = self.db.transaction(DOCS).build()?;
        get_doc(&tx, id).await
    }

    pub async fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.transaction(META).build()?;
        let value: Option<JsValue> = tx.object_store(META)?.get(key).primitive()?.await?;
        Ok(value.map(|v| bytes_of(&v)))
    }

    /// Everything start-up reads (every meta value, every summary, the outbox), in one
    /// readonly transaction whose requests all go out together.
    pub async fn start_read(&self) -> Result<StartRead> {
        let tx = self.db.transaction([META, SUMMARIES, OUTBOX]).build()?;
        let (meta, summaries, outbox) = (tx.object_store(META)?, tx.object_store(SUMMARIES)?, tx.object_store(OUTBOX)?);
        let (meta_keys, meta_values, summaries, outbox) = futures_util::future::try_join4(
            meta.get_all_keys::<String>().primitive()?,
            meta.get_all::<JsValue>().primitive()?,
            summaries.get_all::<JsValue>().primitive()?,
            outbox.get_all_keys::<String>().primitive()?,
        )
        .await?;
        // The snapshot is for boot.js's read-ahead; this reads the summaries themselves.
        let meta = meta_keys.zip(meta_values).filter(|(k, _)| k.as_ref().map_or(true, |k| !is_summary_bookkeeping(k)));
        let (meta_keys, meta_values): (Vec<_>, Vec<_>) = meta.map(|(k, v)| Ok((k?, bytes_of(&v?)))).collect::<Result<Vec<_>>>()?.into_iter().unzip();
        let summaries: Vec<Vec<u8>> = summaries.map(|v| v.map(|v| bytes_of(&v))).collect::<std::result::Result<_, _>>()?;
        let summaries = decode_summaries(summaries.iter().map(Vec::as_slice), 0)?;
        StartRead::decode(meta_keys, meta_values, summaries, outbox.collect::<std::result::Result<_, _>>()?)
    }

    /// Make the summary snapshot again if at least `min_changed` summaries changed since
    /// the last one (or there is none), and clear the changed marks, in one transaction.
    /// True if it was made.
    pub async fn snapshot_summaries(&self, min_changed: usize) -> Result<bool> {
        let tx = self.begin()?;
        let meta = tx.tx.object_store(META)?;
        let keys: Vec<String> = meta.get_all_keys::<String>().primitive()?.await?.collect::<std::result::Result<_, _>>()?;
        let marks: Vec<&String> = keys.iter().filter(|k| k.starts_with(keys::CHANGED)).collect();
        let has_snapshot = keys.iter().any(|k| k == keys::SUMMARY_SNAPSHOT);
        if has_snapshot && (marks.is_empty() || marks.len() < min_changed) {
            return Ok(false);
        }
        let values = tx.tx.object_store(SUMMARIES)?.get_all::<JsValue>().primitive()?.await?;
        let summaries: Vec<Vec<u8>> = values.map(|v| v.map(|v| bytes_of(&v))).collect::<std::result::Result<_, _>>()?;
        put(&tx.tx, META, keys::SUMMARY_SNAPSHOT, &pack_summaries(&summaries))?;
        for mark in marks {
            drop(meta.delete(mark.as_str()).primitive()?);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// One readwrite transaction over every object store.
    pub fn begin(&self) -> Result<Tx<'_>> {
        let tx = self.db.transaction(ALL).with_mode(TransactionMode::Readwrite).build()?;
        Ok(Tx { tx })
    }

    /// Shorthand for a transaction that writes one meta value.
    pub async fn put_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        let tx = self.begin()?;
        tx.put_meta(key, value)?;
        tx.commit().await
    }

    /// Forget everything (a different user signs in on this phone).
    pub async fn clear(&self) -> Result<()> {
        let tx = self.begin()?;
        for store in ALL {
            tx.tx.object_store(store)?.clear()?.await?;
        }
        tx.commit().await
    }
}

/// What the app reads at start: read by [`Store::start_read`], or by the page's
/// `boot.js` while the wasm was still loading ([`StartRead::from_js`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StartRead {
    pub meta: HashMap<String, Vec<u8>>,
    pub summaries: Vec<LeadSummary>,
    /// Docs with edits the server has not acknowledged.
    pub outbox: Vec<DocId>,
}

impl StartRead {
    /// From `{ metaKeys, metaValues, summaries, changed, outbox }`: the same reads, made
    /// in JavaScript (`pwa/boot.js`). `summaries` is one [`pack_summaries`] value: the
    /// snapshot as stored, or all the summaries packed by boot.js; `changed` lists
    /// `[lead id, its summary now, or undefined if it went]` for the leads changed since
    /// that snapshot (empty for a full read).
    pub fn from_js(value: &JsValue) -> Result<Self> {
        let field = |name: &str| js_sys::Reflect::get(value, &name.into()).map_err(|_| StoreError(format!("start-up read has no {name}")));
        let array = |name: &str| field(name).map(|a| js_sys::Array::from(&a).to_vec());
        let strings = |values: Vec<JsValue>| values.into_iter().filter_map(|v| v.as_string()).collect();
        let packed = Uint8Array::new(&field("summaries")?).to_vec();
        let snapshot = unpack_summaries(&packed)?;
        // Leads changed since the snapshot: their snapshot entries give way to what is
        // stored now (nothing, for a lead that went).
        let changed: Vec<(String, Option<Vec<u8>>)> = array("changed")?
            .iter()
            .map(|entry| {
                let entry = js_sys::Array::from(entry);
                let now = entry.get(1);
                (entry.get(0).as_string().unwrap_or_default(), (!now.is_undefined() && !now.is_null()).then(|| bytes_of(&now)))
            })
            .collect();
        let mut summaries = decode_summaries(snapshot.into_iter(), changed.len())?;
        if !changed.is_empty() {
            let gone: std::collections::HashSet<&str> = changed.iter().map(|(id, _)| id.as_str()).collect();
            summaries.retain(|s| !gone.contains(s.id.as_str()));
            for (_, now) in &changed {
                if let Some(bytes) = now {
                    summaries.push(postcard::from_bytes(bytes)?);
                }
            }
        }
        let meta_values = array("metaValues")?.iter().map(bytes_of).collect();
        Self::decode(strings(array("metaKeys")?), meta_values, summaries, strings(array("outbox")?))
    }

    fn decode(meta_keys: Vec<String>, meta_values: Vec<Vec<u8>>, summaries: Vec<LeadSummary>, outbox: Vec<String>) -> Result<Self> {
        if meta_keys.len() != meta_values.len() {
            return Err(StoreError("start-up read: meta keys and values differ in number".into()));
        }
        let meta = meta_keys.into_iter().zip(meta_values).collect();
        // A key that no longer parses (an id format from a newer version) is skipped.
        let outbox = outbox.iter().filter_map(|key| DocId::parse(key).ok()).collect();
        Ok(Self { meta, summaries, outbox })
    }
}

/// Summaries decoded into a vector sized for them, with `room` to spare. Collecting an
/// iterator of `Result`s cannot know its length: 5,000 summaries grown by doubling copied
/// ~13 ms worth at start on a slow phone (a profile at 4× CPU).
fn decode_summaries<'a>(encoded: impl ExactSizeIterator<Item = &'a [u8]>, room: usize) -> Result<Vec<LeadSummary>> {
    let mut summaries = Vec::with_capacity(encoded.len() + room);
    for bytes in encoded {
        summaries.push(postcard::from_bytes(bytes)?);
    }
    Ok(summaries)
}

/// A readwrite transaction: reads see its own writes; nothing is stored until `commit`.
pub struct Tx<'a> {
    tx: Transaction<'a>,
}

impl Tx<'_> {
    pub async fn doc(&self, id: &DocId) -> Result<Option<StoredDoc>> {
        get_doc(&self.tx, id).await
    }

    pub async fn doc_ids(&self) -> Result<Vec<DocId>> {
        let keys = self.tx.object_store(DOCS)?.get_all_keys::<String>().primitive()?.await?;
        let mut out = Vec::new();
        for key in keys {
            if let Ok(id) = DocId::parse(&key?) {
                out.push(id);
            }
        }
        Ok(out)
    }

    // The writes below only issue their request: IndexedDB carries out a transaction's
    // requests in order (a later read sees an earlier write), and a failed one aborts the
    // transaction, which `commit` then reports. Waiting for each would cost a trip through
    // the event loop per write, on the path from a tap to "saved".

    pub fn put_doc(&self, id: &DocId, doc: &StoredDoc) -> Result<()> {
        put(&self.tx, DOCS, id.as_str(), &postcard::to_allocvec(doc)?)
    }

    /// Also marks the lead changed since the summary snapshot.
    pub fn put_summary(&self, summary: &LeadSummary) -> Result<()> {
        put(&self.tx, SUMMARIES, summary.id.as_str(), &postcard::to_allocvec(summary)?)?;
        self.mark_changed(&summary.id)
    }

    /// The lead is gone from this phone: its document, summary and outbox entry.
    pub fn delete_lead(&self, id: &LeadId) -> Result<()> {
        for store in [DOCS, SUMMARIES, OUTBOX] {
            drop(self.tx.object_store(store)?.delete(id.as_str()).primitive()?);
        }
        self.mark_changed(id)
    }

    fn mark_changed(&self, id: &LeadId) -> Result<()> {
        put(&self.tx, META, &format!("{}{}", keys::CHANGED, id.as_str()), &[])
    }

    pub fn set_dirty(&self, id: &DocId, dirty: bool) -> Result<()> {
        let store = self.tx.object_store(OUTBOX)?;
        if dirty {
            drop(store.put(JsValue::from(1)).with_key(id.as_str()).primitive()?);
        } else {
            drop(store.delete(id.as_str()).primitive()?);
        }
        Ok(())
    }

    pub fn put_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        put(&self.tx, META, key, value)
    }

    pub fn delete_meta(&self, key: &str) -> Result<()> {
        drop(self.tx.object_store(META)?.delete(key).primitive()?);
        Ok(())
    }

    /// Make every write of this transaction durable.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

async fn get_doc(tx: &Transaction<'_>, id: &DocId) -> Result<Option<StoredDoc>> {
    let value: Option<JsValue> = tx.object_store(DOCS)?.get(id.as_str()).primitive()?.await?;
    value.map(|v| StoredDoc::decode(&bytes_of(&v))).transpose()
}

/// Issues a put in `tx` (see the note on [`Tx`]'s writes).
fn put(tx: &Transaction<'_>, store: &str, key: &str, bytes: &[u8]) -> Result<()> {
    let value: JsValue = Uint8Array::from(bytes).into();
    drop(tx.object_store(store)?.put(value).with_key(key).primitive()?);
    Ok(())
}

fn bytes_of(value: &JsValue) -> Vec<u8> {
    Uint8Array::new(value).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[derive(Serialize)]
    struct V1<'a> {
        bytes: &'a [u8],
        acked: Vec<[u8; 32]>,
        increments: u16,
    }

    /// Phones updated to a version that keeps heads still read every doc stored before.
    #[wasm_bindgen_test]
    fn docs_stored_before_heads_were_kept_still_read() {
        let old = postcard::to_allocvec(&V1 { bytes: b"doc", acked: vec![[7; 32]], increments: 3 }).unwrap();
        let doc = StoredDoc::decode(&old).unwrap();
        assert_eq!((doc.bytes.as_slice(), doc.acked(), doc.increments), (&b"doc"[..], vec![ChangeHash([7; 32])], 3));
        assert!(!doc.surely_clean(), "heads unknown: the document has to tell");

        let new = StoredDoc::new(b"doc".to_vec(), &[ChangeHash([7; 32])], &[ChangeHash([7; 32]), ChangeHash([8; 32])]);
        let read = StoredDoc::decode(&postcard::to_allocvec(&new).unwrap()).unwrap();
        assert_eq!(read, new);
        assert!(read.surely_clean(), "every head acked");
        assert!(!read.clone().with_acked(&[ChangeHash([8; 32])]).surely_clean(), "a head not acked");
        assert!(StoredDoc::decode(b"\xff").is_err(), "garbage is an error, not a doc");
    }
}
