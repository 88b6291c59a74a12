//! The fuzz targets: seeds made by the real code, one step per input, each input's
//! invariants checked. A panic that escapes a target's step is a failure; a panic the
//! server itself contains (inside Automerge, per doc) is counted in the notes.

use crate::Budget;
use crate::mutate;
use automerge::sync::{Message, State as SyncState, SyncDoc};
use automerge::{ActorId, Automerge};
use dialbook_core::lead::{CallLog, limits, read_lead};
use dialbook_core::protocol::authorize::{Applied, Caller, apply_push};
use dialbook_core::protocol::cursor::{ServerCursor, SnapshotPhase};
use dialbook_core::protocol::replica::MemoryReplica;
use dialbook_core::protocol::untrusted::{self, check_sync_message, parse_changes};
use dialbook_core::protocol::wire::{self, DocChanges, DocSyncRequest, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus};
use dialbook_core::{CallOutcome, DocId, PhoneNumber, Role, Timestamp, UserId};
use dialbook_server::leads::parse::{parse_csv, parse_lines};
use dialbook_server::sync::push::contained;
use dialbook_tests::client::{device, new_lead};
use dialbook_tests::{TestBackend, TestServer, hostile, postgres_available};
use rand::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

pub struct Report {
    pub inputs: u64,
    pub notes: String,
    pub failure: Option<String>,
}

pub struct Target {
    pub name: &'static str,
    pub run: fn(Budget, u64) -> Report,
}

pub const ALL: &[Target] = &[
    Target { name: "wire", run: wire },
    Target { name: "changes", run: changes },
    Target { name: "docsync", run: docsync },
    Target { name: "cursor", run: cursor },
    Target { name: "import", run: import },
    Target { name: "phone", run: phone },
    Target { name: "http", run: http },
];

const OWNER: Caller = Caller { user: UserId(2), role: Role::Telecaller };
const STRANGER: Caller = Caller { user: UserId(3), role: Role::Telecaller };
const ADMIN: Caller = Caller { user: UserId(1), role: Role::Admin };
const NOW: Timestamp = Timestamp(1_760_000_000_000);

/// Runs `step` on inputs until the budget is spent; a panic escaping a step (or an
/// `Err` it returns) stops the target with the input that caused it.
fn drive(budget: Budget, seed: u64, name: &str, mut step: impl FnMut(&mut rand::rngs::SmallRng) -> Result<(), String>) -> Report {
    let mut rng = mutate::rng(seed, name);
    let started = Instant::now();
    let mut inputs = 0;
    while budget.more(inputs, started) {
        inputs += 1;
        match catch_unwind(AssertUnwindSafe(|| step(&mut rng))) {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => return Report { inputs, notes: String::new(), failure: Some(failure) },
            Err(_) => return Report { inputs, notes: String::new(), failure: Some(format!("input {inputs} panicked")) },
        }
    }
    Report { inputs, notes: String::new(), failure: None }
}

/// A phone's lead and the changes its edits made: the creation change (pushed to a
/// server without the doc) and edits (pushed to one holding the creation).
struct PhoneSeeds {
    stored: Automerge,
    doc_id: DocId,
    creation: Vec<Vec<u8>>,
    edits: Vec<Vec<Vec<u8>>>,
    whole: Automerge,
}

fn phone_seeds() -> PhoneSeeds {
    let mut replica = MemoryReplica::new(OWNER.user, "phone", ActorId::from([7u8; 16]));
    let id = replica.create_lead(NOW, new_lead(1, "Asha Verma", Some(OWNER.user))).unwrap();
    let doc_id = DocId::Lead(id.clone());
    let raw = |r: &mut MemoryReplica, from: &[automerge::ChangeHash]| -> Vec<Vec<u8>> {
        r.docs.get_mut(&DocId::Lead(id.clone())).unwrap().doc.get_changes(from).iter().map(|c| c.raw_bytes().to_vec()).collect()
    };
    let creation = raw(&mut replica, &[]);
    let stored = Automerge::load(&creation.concat()).unwrap();
    let mut edits = Vec::new();
    let call = CallLog { outcome: CallOutcome::Interested, duration_secs: 95, note: "wants a quote".into(), voice_note: None, follow_up: Some(Timestamp(NOW.0 + 86_400_000)) };
    type Step<'a> = Box<dyn Fn(&mut MemoryReplica) + 'a>;
    let steps: Vec<Step> = vec![
        Box::new(|r| r.edit(NOW, &id, |l, ctx| l.log_call(ctx, &call)).unwrap()),
        Box::new(|r| r.edit(NOW, &id, |l, ctx| l.set_notes(ctx, "Creta service before Diwali\ncall after 6")).unwrap()),
        Box::new(|r| r.edit(NOW, &id, |l, ctx| l.set_custom(ctx, "reg_no", Some("KA01AB1234"))).unwrap()),
        Box::new(|r| r.edit(NOW, &id, |l, ctx| l.set_follow_up(ctx, Some(Timestamp(NOW.0 + 3_600_000)))).unwrap()),
    ];
    for step in steps {
        let heads = replica.docs[&doc_id].doc.clone().get_heads();
        step(&mut replica);
        edits.push(raw(&mut replica, &heads));
    }
    let whole = replica.docs.get_mut(&doc_id).unwrap().doc.document().clone();
    PhoneSeeds { stored, doc_id, creation, edits, whole }
}

fn wire(budget: Budget, seed: u64) -> Report {
    let s = phone_seeds();
    let push = wire::encode(&PushRequest { docs: vec![DocChanges { doc: s.doc_id.clone(), changes: s.edits.concat() }] });
    let pull = wire::encode(&PullRequest { cursor: cursor_seeds()[1].clone(), max_bytes: 1 << 20 });
    let doc = wire::encode(&DocSyncRequest { doc: s.doc_id.clone(), message: sync_seeds(&s)[1].clone() });
    let seeds = [push, pull, doc];
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> Result<(), String> {
        if let Ok(msg) = wire::decode::<T>(bytes) {
            let again = wire::decode::<T>(&wire::encode(&msg)).map_err(|e| format!("re-encoded {msg:?} does not decode: {e}"))?;
            if again != msg {
                return Err(format!("{msg:?} re-encodes as {again:?}"));
            }
        }
        Ok(())
    }
    drive(budget, seed, "wire", |rng| {
        let input = mutate::bytes(rng, &seeds);
        round_trip::<PushRequest>(&input)?;
        round_trip::<PullRequest>(&input)?;
        round_trip::<DocSyncRequest>(&input)?;
        round_trip::<PushResponse>(&input)?;
        round_trip::<PullResponse>(&input).map_err(|e| format!("{e}\n  input {}", hex::encode(&input)))
    })
}

fn changes(budget: Budget, seed: u64) -> Report {
    let s = phone_seeds();
    let all: Vec<Vec<u8>> = s.creation.iter().chain(s.edits.iter().flatten()).cloned().collect();
    let (mut stored, mut contained_panics, mut refused) = (0u64, 0u64, 0u64);
    let mut report = drive(budget, seed, "changes", |rng| {
        // A new doc from a mutated creation, or edits to the stored doc.
        let fresh = rng.random_bool(0.3);
        let base: &[Vec<u8>] = if fresh { &s.creation } else { mutate::pick::<Vec<Vec<u8>>>(rng, &s.edits) };
        let mut raw = base.to_vec();
        let i = rng.random_range(0..raw.len());
        raw[i] = if rng.random_bool(0.02) {
            hostile::claiming_ops(&raw[i], rng.random_range(1..1 << 40))
        } else {
            let other = mutate::pick::<Vec<u8>>(rng, &all).clone();
            mutate::chunk_of(rng, &raw[i], &other)
        };
        let caller = *mutate::pick(rng, &[OWNER, OWNER, STRANGER, ADMIN]);
        let Ok(parsed) = parse_changes(&raw, &mut untrusted::Budget::per_request()) else {
            refused += 1;
            return Ok(());
        };
        let before = (!fresh).then_some(&s.stored);
        let panicked = std::cell::Cell::new(true);
        let outcome = contained(&s.doc_id, || {
            let r = apply_push(caller, &s.doc_id, before, parsed);
            panicked.set(false);
            r
        });
        contained_panics += u64::from(panicked.get());
        let Ok(Applied::Changed { doc, lead, before: lead_before, .. }) = outcome else {
            refused += 1;
            return Ok(());
        };
        // What the server would store: it loads again, and keeps the rules.
        if caller == STRANGER && !fresh {
            return Err(format!("a stranger's change to someone else's lead was accepted\n  change {}", hex::encode(&raw[i])));
        }
        let saved = doc.save();
        let loaded = Automerge::load(&saved).map_err(|e| format!("an accepted doc does not load again: {e}\n  change {}", hex::encode(&raw[i])))?;
        let read = read_lead(&loaded).map_err(|e| format!("an accepted doc does not read as a lead: {e}"))?;
        if Some(&read) != lead.as_ref() {
            return Err("the stored doc reads differently from what was checked".into());
        }
        limits::check_changes(lead_before.as_ref(), &read).map_err(|e| format!("an accepted lead breaks a limit: {e}"))?;
        stored += 1;
        Ok(())
    });
    report.notes = format!("{stored} accepted, {refused} refused, {contained_panics} Automerge panics contained");
    report
}

/// A first sync message from an empty peer, and the phone's answer carrying changes.
fn sync_seeds(s: &PhoneSeeds) -> Vec<Vec<u8>> {
    let mut server_state = SyncState::new();
    let mut phone_state = SyncState::new();
    let server = s.stored.clone();
    let mut phone = s.whole.clone();
    // As the server sends it: without the flags that would invite a whole document.
    let mut first = server.generate_sync_message(&mut server_state).expect("a first message");
    first.flags = None;
    phone.receive_sync_message(&mut phone_state, first.clone()).unwrap();
    let answer = phone.generate_sync_message(&mut phone_state).expect("an answer with changes");
    vec![first.encode(), answer.encode()]
}

fn docsync(budget: Budget, seed: u64) -> Report {
    let s = phone_seeds();
    let seeds = sync_seeds(&s);
    let (mut applied, mut contained_panics, mut refused) = (0u64, 0u64, 0u64);
    let mut report = drive(budget, seed, "docsync", |rng| {
        let input = mutate::chunk(rng, &seeds);
        let Ok(message) = Message::decode(&input) else {
            refused += 1;
            return Ok(());
        };
        if check_sync_message(&message, &mut untrusted::Budget::per_request()).is_err() {
            refused += 1;
            return Ok(());
        }
        // As the server answers (sync/docsync.rs): receive into a copy, answer from what
        // it holds; Automerge panics are contained there and here alike.
        let mut merged = s.stored.clone();
        let mut state = SyncState::new();
        match catch_unwind(AssertUnwindSafe(|| merged.receive_sync_message(&mut state, message.clone()))) {
            Ok(Ok(())) => applied += 1,
            Ok(Err(_)) => refused += 1,
            Err(_) => contained_panics += 1,
        }
        let mut answer_state = SyncState::new();
        let mut scratch = s.stored.clone();
        if catch_unwind(AssertUnwindSafe(|| {
            let _ = scratch.receive_sync_message(&mut answer_state, message);
            s.stored.generate_sync_message(&mut answer_state)
        }))
        .is_err()
        {
            contained_panics += 1;
        }
        Ok(())
    });
    report.notes = format!("{applied} applied, {refused} refused, {contained_panics} Automerge panics contained");
    report
}

fn cursor_seeds() -> Vec<Vec<u8>> {
    let plain = ServerCursor { epoch: 77, seq: 1234, check: -5, admin: false, snapshot: None };
    let phase = ServerCursor {
        snapshot: Some(SnapshotPhase { from: 1000, upto: 1234, after: Some("6896c1089de41c46b83998a7761c3812".into()), done: 40, total: 5000 }),
        ..plain.clone()
    };
    vec![plain.encode(), phase.encode()]
}

fn cursor(budget: Budget, seed: u64) -> Report {
    let seeds = cursor_seeds();
    drive(budget, seed, "cursor", |rng| {
        let input = mutate::bytes(rng, &seeds);
        if let Ok(Some(c)) = ServerCursor::decode(&input)
            && ServerCursor::decode(&c.encode()) != Ok(Some(c.clone()))
        {
            return Err(format!("cursor {c:?} does not round-trip"));
        }
        Ok(())
    })
}

fn import(budget: Budget, seed: u64) -> Report {
    let csv = "name,mobile,car model,source,notes\nRavi \"RK\" Kumar,98765 43210,Swift,walk-in,\"Oil, filter\"\nSita,+91-91234-56789,,,\n";
    let lines = "Ravi Kumar 98765 43210 Swift\nPriya - +91 91234 56789 - i20 - call after 6\n\n• Mohan: 080 2345 6789\n";
    let seeds = [csv, lines];
    drive(budget, seed, "import", |rng| {
        let input = mutate::text(rng, &seeds);
        let _ = parse_csv(&input);
        let _ = parse_lines(&input);
        Ok(())
    })
}

fn phone(budget: Budget, seed: u64) -> Report {
    let seeds = ["98765 43210", "+91 98765-43210", "080 2345 6789", "1800 180 1234", "+1 415 555 2671", "0091 98765 43210", "(0)98450 12345"];
    drive(budget, seed, "phone", |rng| {
        let input = mutate::text(rng, &seeds);
        let _ = PhoneNumber::search_key(&input);
        if let Ok(n) = PhoneNumber::parse(&input) {
            let again = PhoneNumber::from_e164(n.e164()).map_err(|e| format!("{input:?} parsed to {} which does not read back: {e}", n.e164()))?;
            if again.e164() != n.e164() {
                return Err(format!("{input:?}: {} reads back as {}", n.e164(), again.e164()));
            }
            let _ = (n.display(), n.is_mobile());
        }
        Ok(())
    })
}

/// Mutated sync bodies to a real server over HTTP. A tenth of the other targets' inputs
/// (each is a request and a database query).
fn http(budget: Budget, seed: u64) -> Report {
    let budget = match budget {
        Budget::Inputs(n) => Budget::Inputs(n.div_ceil(10)),
        time => time,
    };
    let runtime = tokio::runtime::Runtime::new().expect("a Tokio runtime");
    runtime.block_on(async move {
        let mut backends = vec![TestBackend::Sqlite];
        if postgres_available().await {
            backends.push(TestBackend::Postgres);
        }
        let mut report = Report { inputs: 0, notes: String::new(), failure: None };
        for backend in backends {
            let r = http_on(backend, budget, seed).await;
            report.inputs += r.inputs;
            report.notes += &format!("{backend:?}: {} ", r.notes);
            if r.failure.is_some() {
                report.failure = r.failure;
                break;
            }
        }
        report
    })
}

async fn http_on(backend: TestBackend, budget: Budget, seed: u64) -> Report {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, password) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let session = server.login("ravi", &password, "phone").await;
    let mut phone = device(&server, &session, "phone");
    // Seeds: a push of new leads, a pull, a doc-sync round, all as the phone would send.
    for n in 0..3 {
        phone.replica.create_lead(Timestamp(dialbook_server::clock::now_ms()), new_lead(n, &format!("Lead {n}"), Some(ravi))).unwrap();
    }
    let docs: Vec<DocId> = phone.replica.docs.keys().cloned().collect();
    let push_body = wire::encode(&phone.replica.build_push(&docs));
    let pull_body = wire::encode(&PullRequest { cursor: vec![], max_bytes: 1 << 20 });
    let doc_body = {
        let msg = phone.replica.docs.get_mut(&docs[0]).unwrap().doc.sync().generate_sync_message(&mut SyncState::new()).expect("a message");
        wire::encode(&DocSyncRequest { doc: docs[0].clone(), message: msg.encode() })
    };
    let seeds = [("/api/sync/push", push_body), ("/api/sync/pull", pull_body), ("/api/sync/doc", doc_body)];
    let count = |pool: sqlx::AnyPool| async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log").fetch_one(&pool).await.expect("counting the log") };
    let mut rng = mutate::rng(seed, "http");
    let started = Instant::now();
    let (mut inputs, mut refused, mut accepted) = (0u64, 0u64, 0u64);
    let mut failure = None;
    while budget.more(inputs, started) {
        inputs += 1;
        let (path, body) = &seeds[rng.random_range(0..seeds.len())];
        let input = if rng.random_bool(0.5) { mutate::mutated(&mut rng, body, &seeds[0].1) } else { mutate_push_changes(&mut rng, body) };
        let before = count(server.state.db.pool.clone()).await;
        let (status, reply) = phone.post_raw(path, wire::CONTENT_TYPE, input.clone()).await.expect("the server answers");
        let after = count(server.state.db.pool.clone()).await;
        let all_refused = *path == "/api/sync/push"
            && wire::decode::<PushResponse>(&reply).is_ok_and(|r| r.results.iter().all(|d| !matches!(d.status, PushStatus::Accepted { .. })));
        if status >= 500 {
            failure = Some(format!("{path} answered {status}: {}\n  body {}", String::from_utf8_lossy(&reply), hex::encode(&input)));
            break;
        }
        if (status >= 400 || all_refused) && after != before {
            failure = Some(format!("{path} refused a body ({status}) but the log grew from {before} to {after}\n  body {}", hex::encode(&input)));
            break;
        }
        if status >= 400 || all_refused { refused += 1 } else { accepted += 1 }
    }
    server.stop().await;
    Report { inputs, notes: format!("{accepted} answered, {refused} refused;"), failure }
}

/// A push body decoded, one of its changes mutated (checksum half the time fixed), and
/// encoded again: structure-aware, so the mutation reaches the change checks.
fn mutate_push_changes(rng: &mut rand::rngs::SmallRng, body: &[u8]) -> Vec<u8> {
    let Ok(mut req) = wire::decode::<PushRequest>(body) else { return body.to_vec() };
    let all: Vec<Vec<u8>> = req.docs.iter().flat_map(|d| d.changes.clone()).collect();
    let which = rng.random_range(0..req.docs.len().max(1));
    if let Some(doc) = req.docs.get_mut(which)
        && !doc.changes.is_empty()
    {
        let i = rng.random_range(0..doc.changes.len());
        let other = mutate::pick(rng, &all).clone();
        doc.changes[i] = mutate::chunk_of(rng, &doc.changes[i], &other);
    }
    wire::encode(&req)
}
