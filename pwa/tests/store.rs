//! The phone's storage in a real browser (headless Chromium): what is committed is there
//! after reopening, what is not committed is not there at all, and the repo's edits and
//! sync effects keep a doc, its summary and its outbox entry together.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{PRIYA, db_name, lead_doc};
use dialbook_core::lead::{ActivityKind, CallLog, EditContext, LeadEdit};
use dialbook_core::protocol::client::Effect;
use dialbook_core::protocol::wire::{PullItem, RefusalCode};
use dialbook_core::summary::LeadSummary;
use dialbook_core::{CallOutcome, DocId, LeadStatus, Timestamp};
use dialbook_pwa_store::phone;
use dialbook_pwa_store::repo::{EditError, Editor, Repo};
use dialbook_pwa_store::store::{StartRead, Store, StoredDoc, keys, pack_summaries};
use dialbook_pwa_store::worker::{Answer, Call, Worker};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn editor() -> Editor {
    Editor { user: PRIYA, device: "Chrome on Android".into(), actor: vec![5; 16] }
}

#[wasm_bindgen_test]
async fn a_committed_write_is_there_after_reopening() {
    let name = db_name("reopen");
    let mut doc = lead_doc(1, "Ravi Kumar", 1_000);
    let summary = LeadSummary::of(&doc.read().unwrap(), phone::display);
    let id = DocId::Lead(summary.id.clone());
    {
        let store = Store::open(&name).await.unwrap();
        let tx = store.begin().unwrap();
        tx.put_doc(&id, &StoredDoc::new(doc.save(), &doc.heads(), &[])).unwrap();
        tx.put_summary(&summary).unwrap();
        tx.set_dirty(&id, true).unwrap();
        tx.put_meta("cursor", b"abc").unwrap();
        tx.commit().await.unwrap();
    }

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.summaries().await.unwrap(), vec![summary]);
    assert_eq!(store.outbox().await.unwrap(), vec![id.clone()]);
    assert_eq!(store.doc(&id).await.unwrap().unwrap().bytes, doc.save());
    assert_eq!(store.meta("cursor").await.unwrap().as_deref(), Some(&b"abc"[..]));
}

#[wasm_bindgen_test]
async fn a_transaction_that_is_not_committed_leaves_nothing() {
    let store = Store::open(&db_name("rollback")).await.unwrap();
    let mut doc = lead_doc(2, "Suresh Rao", 1_000);
    let summary = LeadSummary::of(&doc.read().unwrap(), phone::display);
    let id = DocId::Lead(summary.id.clone());
    {
        let tx = store.begin().unwrap();
        tx.put_doc(&id, &StoredDoc::new(doc.save(), &doc.heads(), &[])).unwrap();
        tx.put_summary(&summary).unwrap();
        // Dropped here, as when an edit fails halfway.
    }
    assert!(store.summaries().await.unwrap().is_empty());
    assert!(store.doc(&id).await.unwrap().is_none());
}

#[wasm_bindgen_test]
async fn logging_a_call_updates_doc_summary_and_outbox_together_and_an_ack_clears_the_outbox() {
    let repo = Repo::new(Store::open(&db_name("edit")).await.unwrap(), editor());
    let store = &repo.store;
    // The lead arrives from the server first (a snapshot), so it starts clean.
    let mut server_doc = lead_doc(3, "Anita Iyer", 1_000);
    let lead_id = server_doc.read().unwrap().id;
    let id = DocId::Lead(lead_id.clone());
    let applied = repo.apply(vec![Effect::Apply(PullItem::Snapshot { doc: id.clone(), bytes: server_doc.save() })]).await.unwrap();
    assert_eq!(applied.upserts.len(), 1);
    assert!(store.outbox().await.unwrap().is_empty());

    let call = CallLog { outcome: CallOutcome::Interested, duration_secs: 95, note: "wants a quote".into(), voice_note: None, follow_up: Some(Timestamp(90_000)) };
    let summary = repo.edit(&lead_id, Timestamp(5_000), vec![LeadEdit::LogCall(call.clone())]).await.unwrap();

    assert_eq!(summary.status, LeadStatus::Interested);
    assert_eq!(summary.call_count, 1);
    assert_eq!(store.summaries().await.unwrap(), vec![summary.clone()]);
    assert_eq!(store.outbox().await.unwrap(), vec![id.clone()]);
    let lead = repo.lead(&lead_id).await.unwrap().unwrap();
    let (activity, record) = lead.last_call().unwrap();
    assert_eq!((record.outcome, record.note.as_str(), activity.device.as_str()), (CallOutcome::Interested, "wants a quote", "Chrome on Android"));

    // The push carries just the new change; the server's ack empties the outbox.
    let (push, sent, empty) = repo.build_push(std::slice::from_ref(&id)).await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(push.docs.len(), 1);
    assert_eq!(push.docs[0].changes.len(), 1, "only the call, not the whole history");
    repo.apply(vec![Effect::Acked { doc: id.clone(), heads: sent[&id].clone() }]).await.unwrap();
    assert!(store.outbox().await.unwrap().is_empty());
    let (push, _, empty) = repo.build_push(std::slice::from_ref(&id)).await.unwrap();
    assert!(push.docs.is_empty() && empty == vec![id]);
}

#[wasm_bindgen_test]
async fn a_revoked_lead_is_gone_with_its_summary_and_unsent_edits() {
    let repo = Repo::new(Store::open(&db_name("revoke")).await.unwrap(), editor());
    let store = &repo.store;
    let mut doc = lead_doc(4, "Vikram Singh", 1_000);
    let lead_id = doc.read().unwrap().id;
    let id = DocId::Lead(lead_id.clone());
    repo.apply(vec![Effect::Apply(PullItem::Snapshot { doc: id.clone(), bytes: doc.save() })]).await.unwrap();
    repo.edit(&lead_id, Timestamp(2_000), vec![LeadEdit::Notes("call after 6".into())]).await.unwrap();

    let applied = repo.apply(vec![Effect::Apply(PullItem::Revoked { doc: id.clone() }), Effect::SaveCursor(b"c2".to_vec())]).await.unwrap();

    assert_eq!(applied.removed, vec![lead_id.clone()]);
    assert!(store.summaries().await.unwrap().is_empty());
    assert!(store.outbox().await.unwrap().is_empty());
    assert!(repo.lead(&lead_id).await.unwrap().is_none());
    assert_eq!(store.meta("cursor").await.unwrap().as_deref(), Some(&b"c2"[..]));
}

#[wasm_bindgen_test]
async fn an_edit_to_a_lead_not_on_the_phone_is_refused_without_writing() {
    let repo = Repo::new(Store::open(&db_name("missing")).await.unwrap(), editor());
    let store = &repo.store;
    let ghost = lead_doc(5, "Nobody", 1_000).read().unwrap().id;
    let result = repo.edit(&ghost, Timestamp(2_000), vec![LeadEdit::Notes("x".into())]).await;
    assert!(result.unwrap_err().to_string().contains("no longer on this phone"));
    assert!(store.outbox().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_lead_edited_many_times_reads_back_whole_and_stays_compact() {
    let repo = Repo::new(Store::open(&db_name("increments")).await.unwrap(), editor());
    let store = &repo.store;
    let mut doc = lead_doc(6, "Meena Nair", 1_000);
    let first = doc.read().unwrap();
    let lead_id = first.id.clone();
    let id = DocId::Lead(lead_id.clone());
    repo.apply(vec![Effect::Apply(PullItem::Snapshot { doc: id.clone(), bytes: doc.save() })]).await.unwrap();

    for n in 0..60 {
        repo.edit(&lead_id, Timestamp(2_000 + n), vec![LeadEdit::Notes(format!("note {n}"))]).await.unwrap();
    }

    let lead = repo.lead(&lead_id).await.unwrap().unwrap();
    assert_eq!(lead.notes, "note 59");
    assert_eq!(lead.activities.len(), first.activities.len() + 60, "all 60 note edits, none lost across the whole saves");
    assert!(store.doc(&id).await.unwrap().unwrap().increments < 25);
}

/// The lead on the outcome sheet is pre-loaded during the call; if another tab of the app
/// stores a change to it meanwhile, the tap's call must not write over that change.
#[wasm_bindgen_test]
async fn a_call_logged_on_a_preloaded_lead_keeps_what_another_tab_stored_meanwhile() {
    let name = db_name("preloaded");
    let repo = Repo::new(Store::open(&name).await.unwrap(), editor());
    let store = &repo.store;
    let mut server_doc = lead_doc(6, "Farhan Ali", 1_000);
    let lead_id = server_doc.read().unwrap().id;
    let id = DocId::Lead(lead_id.clone());
    repo.apply(vec![Effect::Apply(PullItem::Snapshot { doc: id.clone(), bytes: server_doc.save() })]).await.unwrap();

    // This tab pre-loads the lead (the telecaller is on the call)…
    repo.warm_up(&lead_id).await;
    // …and another tab (with a document worker and a connection of its own) stores a
    // call on it.
    let busy = CallLog { outcome: CallOutcome::Busy, duration_secs: 0, note: "other tab".into(), voice_note: None, follow_up: None };
    let ctx = EditContext { user: PRIYA, device: "Other tab".into(), now: Timestamp(4_000) };
    server_doc.log_call(&ctx, &busy).unwrap();
    let other_tab = Store::open(&name).await.unwrap();
    let before = other_tab.doc(&id).await.unwrap().unwrap();
    let tx = other_tab.begin().unwrap();
    tx.put_doc(&id, &StoredDoc::new(server_doc.save(), &server_doc.heads(), &before.acked())).unwrap();
    tx.commit().await.unwrap();

    // The edit made ahead on the pre-loaded copy is not the one stored: it is made again
    // on what the other tab stored, and the draft goes in that same transaction.
    store.put_meta("draft", b"{}").await.unwrap();
    let call = CallLog { outcome: CallOutcome::Interested, duration_secs: 60, note: "this tab".into(), voice_note: None, follow_up: None };
    let summary = repo.edit_clearing(&lead_id, Timestamp(5_000), vec![LeadEdit::LogCall(call.clone())], Some("draft")).await.unwrap();
    assert_eq!(store.meta("draft").await.unwrap(), None, "the draft goes with the stored call");
    assert_eq!(store.summaries().await.unwrap(), vec![summary.clone()], "the summary stored is the merged one");

    assert_eq!(summary.call_count, 2, "the summary counts both calls");
    let lead = repo.lead(&lead_id).await.unwrap().unwrap();
    let notes: Vec<&str> = lead
        .activities
        .iter()
        .filter_map(|a| match &a.kind {
            ActivityKind::Call(c) => Some(c.note.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["other tab", "this tab"], "both calls are stored, in order");

    // With nothing in between, the pre-loaded path stores the call as well.
    repo.warm_up(&lead_id).await;
    let again = CallLog { outcome: CallOutcome::Callback, duration_secs: 30, note: "third".into(), voice_note: None, follow_up: None };
    assert_eq!(repo.edit(&lead_id, Timestamp(6_000), vec![LeadEdit::LogCall(again)]).await.unwrap().call_count, 3);
    assert_eq!(repo.lead(&lead_id).await.unwrap().unwrap().activities.len(), lead.activities.len() + 1);
    // A further edit right after is stored on top of all three calls.
    assert_eq!(repo.edit(&lead_id, Timestamp(7_000), vec![LeadEdit::Notes("after three calls".into())]).await.unwrap().call_count, 3);
    let lead = repo.lead(&lead_id).await.unwrap().unwrap();
    assert_eq!((lead.notes.as_str(), lead.calls().count()), ("after three calls", 3));
}

/// A lead added on the phone that the server refuses leaves the phone; the message names
/// it and its number, so the telecaller can type it in again, and nothing waits to sync.
#[wasm_bindgen_test]
async fn a_refused_new_lead_leaves_the_phone_with_a_message_that_names_it() {
    let repo = Repo::new(Store::open(&db_name("refused")).await.unwrap(), editor());
    let store = &repo.store;
    let added = repo.create(Timestamp(1_000), common::new_lead(9, "Ravi Kumar")).await.unwrap();
    let id = DocId::Lead(added.id.clone());
    assert_eq!(store.outbox().await.unwrap(), vec![id.clone()]);

    let refused = Effect::Refused { doc: id.clone(), code: RefusalCode::FieldNotAllowed, message: "only an admin may assign leads".into() };
    let applied = repo.apply(vec![refused]).await.unwrap();

    assert_eq!(applied.refusals, ["Ravi Kumar (+919845000009) was not added: only an admin may assign leads"]);
    assert_eq!(applied.removed, std::slice::from_ref(&added.id));
    assert!(store.summaries().await.unwrap().is_empty());
    assert!(store.outbox().await.unwrap().is_empty());
    assert!(repo.lead(&added.id).await.unwrap().is_none());
}

/// The page reaches the documents only through the worker's messages: what it asks goes
/// through postcard and back, the call is durable when answered, and a call before the
/// database is open is answered with an error that says so, not lost.
#[wasm_bindgen_test]
async fn the_document_worker_answers_the_pages_calls_once_they_are_durable() {
    let name = db_name("worker");
    let worker = Worker::default();
    let ask = |call: Call| {
        let worker = &worker;
        async move {
            let bytes = worker.handle_bytes(&postcard::to_allocvec(&call).unwrap()).await;
            postcard::from_bytes::<Answer>(&bytes).unwrap()
        }
    };
    let mut lead = lead_doc(7, "Kavya Rao", 1_000);
    let lead_id = lead.read().unwrap().id;
    match ask(Call::Lead(lead_id.clone())).await {
        Answer::Failed(e) => assert!(e.to_string().contains("before the app opened the database"), "{e}"),
        other => panic!("a call before Open must fail, got {other:?}"),
    }
    let garbage = worker.handle_bytes(b"\xff\xff\xff").await;
    assert!(matches!(postcard::from_bytes::<Answer>(&garbage).unwrap(), Answer::Failed(_)), "an unreadable call is answered");

    assert_eq!(ask(Call::Open { db: name.clone(), editor: editor() }).await, Answer::Done);
    let id = DocId::Lead(lead_id.clone());
    let pulled = Effect::Apply(PullItem::Snapshot { doc: id.clone(), bytes: lead.save() });
    let Answer::Applied(applied) = ask(Call::Apply(vec![pulled, Effect::SaveCursor(b"c1".to_vec())])).await else { panic!("apply") };
    assert_eq!(applied.upserts.len(), 1);
    assert!(applied.cursor_saved);

    let page = Store::open(&name).await.unwrap();
    page.put_meta("draft", b"{}").await.unwrap();
    let call = CallLog { outcome: CallOutcome::NoAnswer, duration_secs: 0, note: String::new(), voice_note: None, follow_up: None };
    let before = js_sys::Date::now();
    let answer = ask(Call::Edit { lead: lead_id.clone(), now: Timestamp(2_000), edits: vec![LeadEdit::LogCall(call)], clear: Some("draft".into()) }).await;
    let Answer::Edited { summary, durable_at } = answer else { panic!("edit answered {answer:?}") };
    assert_eq!(summary.call_count, 1);
    assert!(durable_at >= before - 1.0, "durable_at is on the epoch clock: {durable_at} vs {before}");
    // What the page's own connection reads is what the worker answered.
    assert_eq!(page.summaries().await.unwrap(), vec![summary]);
    assert_eq!(page.outbox().await.unwrap(), vec![id.clone()]);
    assert_eq!(page.meta("draft").await.unwrap(), None);
    let Answer::Lead(Some(read)) = ask(Call::Lead(lead_id.clone())).await else { panic!("lead") };
    assert_eq!(read.calls().count(), 1);
    let invalid = ask(Call::Edit { lead: lead_id.clone(), now: Timestamp(3_000), edits: vec![LeadEdit::Name("  ".into())], clear: None }).await;
    assert!(matches!(invalid, Answer::Failed(EditError::Invalid(_))), "{invalid:?}");
    assert_eq!(page.summaries().await.unwrap()[0].name, "Kavya Rao", "a refused edit writes nothing");
}

/// Start-up reads everything it needs in one go, and what `boot.js` read ahead in the same
/// shape decodes to the same: the queue opens with every summary, the outbox and the
/// session, whichever read it came from.
#[wasm_bindgen_test]
async fn start_up_reads_meta_summaries_and_outbox_in_one_go_and_a_read_ahead_decodes_the_same() {
    let store = Store::open(&db_name("start")).await.unwrap();
    assert_eq!(store.start_read().await.unwrap(), StartRead::default(), "a new phone has nothing");
    let mut docs = [lead_doc(1, "Ravi Kumar", 1_000), lead_doc(2, "Anita Iyer", 1_000)];
    let tx = store.begin().unwrap();
    let mut summaries = Vec::new();
    for doc in &mut docs {
        let summary = LeadSummary::of(&doc.read().unwrap(), phone::display);
        let id = DocId::Lead(summary.id.clone());
        tx.put_doc(&id, &StoredDoc::new(doc.save(), &doc.heads(), &[])).unwrap();
        tx.put_summary(&summary).unwrap();
        summaries.push(summary);
    }
    let dirty = DocId::Lead(summaries[1].id.clone());
    tx.set_dirty(&dirty, true).unwrap();
    tx.put_meta("session", b"{\"token\":\"t\"}").unwrap();
    tx.put_meta("cursor", b"c9").unwrap();
    tx.commit().await.unwrap();

    let read = store.start_read().await.unwrap();
    let mut got = read.summaries.clone();
    got.sort_by(|a, b| a.name.cmp(&b.name));
    summaries.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(got, summaries);
    assert_eq!(read.outbox, vec![dirty.clone()]);
    assert_eq!(read.meta.get("cursor").map(Vec::as_slice), Some(&b"c9"[..]));
    assert_eq!(read.meta.get("session").map(Vec::as_slice), Some(&b"{\"token\":\"t\"}"[..]));

    // The same reads as boot.js hands them over: arrays of keys, Uint8Arrays and strings,
    // the summaries packed into one value.
    let array = |items: Vec<wasm_bindgen::JsValue>| items.into_iter().collect::<js_sys::Array>();
    let bytes = |b: &[u8]| wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(b));
    let (keys, values): (Vec<_>, Vec<_>) = read.meta.iter().map(|(k, v)| (wasm_bindgen::JsValue::from(k.as_str()), bytes(v))).unzip();
    let ahead = js_sys::Object::new();
    let set = |name: &str, value: &wasm_bindgen::JsValue| js_sys::Reflect::set(&ahead, &name.into(), value).unwrap();
    set("metaKeys", &array(keys).into());
    set("metaValues", &array(values).into());
    let encoded: Vec<Vec<u8>> = read.summaries.iter().map(|s| postcard::to_allocvec(s).unwrap()).collect();
    set("summaries", &bytes(&pack_summaries(&encoded)));
    set("changed", &array(vec![]).into());
    set("outbox", &array(vec![dirty.as_str().into()]).into());
    assert_eq!(StartRead::from_js(&ahead).unwrap(), read);

    // Anything else is refused with a reason (and the app then reads for itself).
    let mut cut = pack_summaries(&encoded);
    cut.pop();
    set("summaries", &bytes(&cut));
    assert!(StartRead::from_js(&ahead).unwrap_err().to_string().contains("cut short"));
    set("summaries", &bytes(&pack_summaries(&[b"\xff\xff".to_vec()])));
    assert!(StartRead::from_js(&ahead).is_err(), "an unreadable summary");
    set("summaries", &bytes(&pack_summaries(&encoded)));
    set("metaValues", &array(vec![]).into());
    assert!(StartRead::from_js(&ahead).unwrap_err().to_string().contains("differ in number"));
}

/// Start-up reads one snapshot of the summaries plus the few changed since: an edit and a
/// removal after the snapshot come back as they are now, the rest from the snapshot, the
/// same as reading every summary; making the snapshot again clears the marks.
#[wasm_bindgen_test]
async fn the_summary_snapshot_and_the_leads_changed_since_read_back_as_every_summary_would() {
    let repo = Repo::new(Store::open(&db_name("snapshot")).await.unwrap(), editor());
    let store = &repo.store;
    let mut ids = Vec::new();
    for (n, name) in [(1, "Ravi Kumar"), (2, "Anita Iyer"), (3, "Meena Nair")] {
        let mut doc = lead_doc(n, name, 1_000);
        let id = doc.read().unwrap().id;
        repo.apply(vec![Effect::Apply(PullItem::Snapshot { doc: DocId::Lead(id.clone()), bytes: doc.save() })]).await.unwrap();
        ids.push(id);
    }
    let mark = |id: &dialbook_core::LeadId| format!("{}{}", keys::CHANGED, id.as_str());
    assert_eq!(store.meta(&mark(&ids[0])).await.unwrap(), Some(vec![]), "a stored summary is marked");
    assert!(store.snapshot_summaries(200).await.unwrap(), "no snapshot yet: made whatever the count");
    assert_eq!(store.meta(&mark(&ids[0])).await.unwrap(), None, "the marks go with a new snapshot");
    assert!(!store.snapshot_summaries(1).await.unwrap(), "nothing changed since: not made again");

    // After the snapshot: a call on one lead, another lead taken away.
    let call = CallLog { outcome: CallOutcome::Interested, duration_secs: 30, note: String::new(), voice_note: None, follow_up: None };
    repo.edit(&ids[0], Timestamp(5_000), vec![LeadEdit::LogCall(call)]).await.unwrap();
    repo.apply(vec![Effect::Apply(PullItem::Revoked { doc: DocId::Lead(ids[1].clone()) })]).await.unwrap();
    assert!(!store.snapshot_summaries(5).await.unwrap(), "two changes are fewer than asked for");

    // As boot.js hands it over: the snapshot as stored, and [id, summary now or nothing].
    let bytes = |b: &[u8]| wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(b));
    let snapshot = store.meta(keys::SUMMARY_SNAPSHOT).await.unwrap().unwrap();
    let full = store.start_read().await.unwrap();
    let now_of = |id: &dialbook_core::LeadId| {
        full.summaries.iter().find(|s| &s.id == id).map_or(wasm_bindgen::JsValue::UNDEFINED, |s| bytes(&postcard::to_allocvec(s).unwrap()))
    };
    let changed: js_sys::Array = ids[..2]
        .iter()
        .map(|id| -> wasm_bindgen::JsValue { [wasm_bindgen::JsValue::from(id.as_str()), now_of(id)].into_iter().collect::<js_sys::Array>().into() })
        .collect();
    let ahead = js_sys::Object::new();
    let set = |name: &str, value: &wasm_bindgen::JsValue| js_sys::Reflect::set(&ahead, &name.into(), value).unwrap();
    set("metaKeys", &js_sys::Array::new().into());
    set("metaValues", &js_sys::Array::new().into());
    set("summaries", &bytes(&snapshot));
    set("changed", &changed.into());
    set("outbox", &js_sys::Array::new().into());
    let mut from_snapshot = StartRead::from_js(&ahead).unwrap().summaries;
    let mut every = full.summaries.clone();
    from_snapshot.sort_by(|a, b| a.name.cmp(&b.name));
    every.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(from_snapshot, every);
    assert_eq!(every.len(), 2, "the lead taken away is not among them");
    assert_eq!(every.iter().find(|s| s.id == ids[0]).unwrap().call_count, 1, "the call after the snapshot is there");
    assert!(full.meta.keys().all(|k| !k.starts_with(keys::CHANGED) && k != keys::SUMMARY_SNAPSHOT), "bookkeeping is not a setting");
}

#[wasm_bindgen_test]
async fn the_zone_table_is_kept_in_storage_and_answers_at_the_next_start() {
    use dialbook_core::zone::{OffsetTable, Zone};
    use dialbook_pwa::services::zone_offsets;
    const HOUR: i64 = Timestamp::HOUR;
    // 2026-03-01T00:00Z.
    const MARCH_1: Timestamp = Timestamp(1_772_323_200_000);

    let store = Store::open(&db_name("zone-kept")).await.unwrap();
    let kolkata = Zone::parse("Asia/Kolkata").unwrap();
    zone_offsets::refresh(&kolkata, MARCH_1, &store).await;
    let kept = store.meta(keys::ZONE_OFFSETS).await.unwrap().expect("the table is kept in meta");
    let table: OffsetTable = serde_json::from_slice(&kept).unwrap();
    assert_eq!(table.zone, "Asia/Kolkata");
    assert!(table.from <= MARCH_1 && table.until.0 - MARCH_1.0 >= 30 * 24 * HOUR, "{table:?}");
    assert_eq!(table.offset_at(MARCH_1), Some(19_800));

    // Still fresh a day later: nothing is worked out or written again.
    store.put_meta(keys::ZONE_OFFSETS, b"untouched").await.unwrap();
    zone_offsets::refresh(&kolkata, MARCH_1.plus_millis(24 * HOUR), &store).await;
    assert_eq!(store.meta(keys::ZONE_OFFSETS).await.unwrap().as_deref(), Some(&b"untouched"[..]));

    // Another zone (the team moved): a new table replaces it.
    let ny = Zone::parse("America/New_York").unwrap();
    zone_offsets::refresh(&ny, MARCH_1, &store).await;
    let kept: OffsetTable = serde_json::from_slice(&store.meta(keys::ZONE_OFFSETS).await.unwrap().unwrap()).unwrap();
    assert_eq!(kept.zone, "America/New_York");

    // A value that is not a table is ignored at start, not fatal.
    zone_offsets::restore(Some(b"not json"));
}
