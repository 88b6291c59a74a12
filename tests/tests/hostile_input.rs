//! The server against a hostile client, on SQLite and on Postgres: a logged-in telecaller
//! (or a stranger at the login form) sending bytes no honest app sends. Every case gets
//! a 4xx with a reason or a per-doc refusal, nothing of it is stored, the process keeps
//! its memory, and everyone else's requests go on working.

use automerge::{ROOT, ReadDoc};
use automerge::transaction::Transactable;
use dialbook_core::lead::{CallLog, LeadDoc, read_lead};
use dialbook_core::protocol::untrusted::{Budget, MAX_OPS_PER_CHANGE, MAX_OPS_PER_REQUEST, parse_change};
use dialbook_core::protocol::wire::{self, CONTENT_TYPE, DocChanges, PushRequest, PushResponse, PushStatus, RefusalCode};
use dialbook_core::{CallOutcome, DocId, LeadId, Role, Timestamp, UserId};
use dialbook_tests::client::{Device, device, new_lead, now};
use dialbook_tests::server::TestDatabase;
use dialbook_tests::{Api, ServerProcess, StatusCode, TestBackend, TestServer, hostile, on_both_backends};
use serde_json::json;

on_both_backends!(
    a_hostile_push_cannot_make_the_server_allocate,
    corrupt_changes_are_refused_and_never_break_the_server,
    nul_characters_get_400_everywhere,
    a_bad_lead_never_fails_another_telecallers_push,
    a_failing_push_in_a_shared_commit_fails_alone,
    concurrent_wrong_passwords_are_all_counted,
    long_inputs_get_a_clear_4xx,
    pushed_values_must_make_a_valid_lead,
    exported_cells_never_run_as_formulas,
);

/// A telecaller with a phone, on a running in-process server.
async fn telecaller(server: &TestServer, name: &str) -> Device {
    let admin = server.login_admin().await;
    let (_, password) = server.create_user(&admin.token, name, Role::Telecaller).await;
    let session = server.login(name, &password, "phone").await;
    device(server, &session, "phone")
}

async fn push(dev: &mut Device, docs: Vec<DocChanges>) -> (u16, Vec<u8>) {
    dev.post_raw("/api/sync/push", CONTENT_TYPE, wire::encode(&PushRequest { docs })).await.expect("the server answers")
}

fn json_error(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or_else(|_| panic!("not a JSON error: {}", String::from_utf8_lossy(body)))
}

/// A lead's first change, as the phone would push it (raw bytes).
fn new_lead_changes(dev: &mut Device, n: u32, name: &str) -> (LeadId, Vec<Vec<u8>>) {
    let id = dev.replica.create_lead(now(), new_lead(n, name, Some(dev.replica.user))).unwrap();
    let changes = dev.replica.docs.get_mut(&DocId::Lead(id.clone())).unwrap().unpushed().0;
    (id, changes)
}

fn kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("{field} in /proc/<pid>/status"));
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number of kB")
}

async fn a_hostile_push_cannot_make_the_server_allocate(backend: TestBackend) {
    // Arrange: the real server process, whose memory /proc can read; a telecaller.
    let db = TestDatabase::create(backend).await;
    let url = db.url.clone();
    let server = tokio::task::spawn_blocking(move || {
        ServerProcess::start(&[], &[("DATABASE_URL", url.as_str()), ("DIALBOOK_ADMIN_PASSWORD", "memory-test-password")])
    })
    .await
    .unwrap();
    let api = Api::new(&server.base_url);
    let admin_login = api.post("/api/login", &json!({ "username": "admin", "password": "memory-test-password", "device_name": "office" })).await;
    let admin_token = admin_login.ok()["token"].as_str().unwrap().to_owned();
    let admin_id = UserId(admin_login.json["user"]["id"].as_i64().unwrap());
    let admin = api.with_token(&admin_token);
    let created = admin.post("/api/admin/users", &json!({ "username": "ravi", "display_name": "Ravi", "role": "telecaller", "password": "ravi-password-1" })).await;
    let ravi = UserId(created.ok()["id"].as_i64().unwrap());
    let login = api.post("/api/login", &json!({ "username": "ravi", "password": "ravi-password-1", "device_name": "phone" })).await;
    let mut phone = Device::new(&server.base_url, login.ok()["token"].as_str().unwrap(), ravi, "phone");
    let (id, good) = new_lead_changes(&mut phone, 1, "Asha");
    let lead = DocId::Lead(id.clone());
    let peak_before = kib(server.pid(), "VmHWM:");

    // Act: a change that inflates to 256 MiB; a 40-byte change claiming 2^40 operations;
    // and the largest push the parser lets through (the request's whole budget of
    // operations in one lead's notes), which the lead's limits then refuse.
    let bomb = push(&mut phone, vec![DocChanges { doc: lead.clone(), changes: vec![hostile::deflate_bomb(256 << 20)] }]).await;
    let peak_bomb = kib(server.pid(), "VmHWM:");
    let claims = push(&mut phone, vec![DocChanges { doc: lead.clone(), changes: vec![hostile::claiming_ops(&good[0], 1 << 40)] }]).await;
    let peak_claims = kib(server.pid(), "VmHWM:");
    let mut big = LeadDoc::create(automerge::ActorId::random(), &phone.replica.ctx(now()), new_lead(2, "Big", Some(ravi))).unwrap();
    for _ in 0..(MAX_OPS_PER_REQUEST / MAX_OPS_PER_CHANGE) {
        let notes = big.inner().get(ROOT, "notes").unwrap().unwrap().1;
        big.inner().splice_text(&notes, 0, 0, &"n".repeat(MAX_OPS_PER_CHANGE as usize - 100)).unwrap();
        big.inner().commit();
    }
    let changes: Vec<Vec<u8>> = big.inner().get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let big_id = DocId::Lead(big.read().unwrap().id);
    let budget = push(&mut phone, vec![DocChanges { doc: big_id, changes }]).await;
    let peak_after = kib(server.pid(), "VmHWM:");

    // Assert: each refused with a reason, and the process's peak memory barely moved.
    for (what, (status, body)) in [("inflating", &bomb), ("claiming", &claims)] {
        assert_eq!(*status, 400, "{what}: {}", String::from_utf8_lossy(body));
        assert_eq!(json_error(body)["error"], "malformed_change", "{what}");
    }
    assert_eq!(budget.0, 200);
    let results = wire::decode::<PushResponse>(&budget.1).unwrap().results;
    assert!(matches!(&results[0].status, PushStatus::Refused { code: RefusalCode::Invalid, message } if message.contains("notes")), "{results:?}");
    let grew_mib = peak_after.saturating_sub(peak_before) / 1024;
    eprintln!("peak RSS grew by {grew_mib} MiB over the hostile pushes");
    assert!(grew_mib <= 64, "peak RSS grew by {grew_mib} MiB ({peak_before} kB, {peak_bomb} kB after the bomb, {peak_claims} kB after the claim, {peak_after} kB after the budget)");

    // And an honest push of the benchmark's size (1,000 new leads) still goes through.
    let mut office = Device::new(&server.base_url, &admin_token, admin_id, "office");
    for n in 0..1_000 {
        office.replica.create_lead(now(), new_lead(100 + n, &format!("Lead {n}"), Some(ravi))).unwrap();
    }
    let sent = office.push_pending().await.expect("an honest push");
    assert_eq!(sent.iter().map(|p| p.request.docs.len()).sum::<usize>(), 1_000);
    assert_eq!(office.replica.client.status().waiting, 0, "every lead acknowledged");
    drop(server);
    db.remove().await;
}

async fn corrupt_changes_are_refused_and_never_break_the_server(backend: TestBackend) {
    // Arrange: a valid new lead's change, as a phone would push it.
    let server = TestServer::start(backend).await;
    let mut phone = telecaller(&server, "ravi").await;
    let (id, good) = new_lead_changes(&mut phone, 1, "Asha Verma");
    let change = &good[0];
    let lead = DocId::Lead(id.clone());
    let mut other = telecaller(&server, "sita").await;

    // Act 1: every single-bit flip of the change, as it arrives.
    let mut statuses = std::collections::BTreeMap::new();
    for bit in (0..change.len() * 8).step_by(7) {
        let mut bad = change.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let (status, _) = push(&mut phone, vec![DocChanges { doc: lead.clone(), changes: vec![bad] }]).await;
        *statuses.entry(status).or_insert(0) += 1;
    }

    // Assert 1: all refused as malformed (the checksum no longer matches), none stored.
    assert_eq!(statuses.keys().copied().collect::<Vec<_>>(), vec![400], "{statuses:?}");
    let admin = server.login_admin().await;
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 0);

    // Act 2: the same flips with the checksum made to match, so they reach Automerge
    // (this is what a crafted change looks like); an honest phone pushes meanwhile.
    let mut served = 0;
    for bit in (72..change.len() * 8).step_by(5) {
        let mut bad = change.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let (status, body) = push(&mut phone, vec![DocChanges { doc: lead.clone(), changes: vec![hostile::rechecksum(&bad)] }]).await;
        assert!(status == 200 || status == 400, "bit {bit}: {status} {}", String::from_utf8_lossy(&body));
        served += 1;
    }
    other.replica.create_lead(now(), new_lead(7, "Honest", Some(other.replica.user))).unwrap();
    other.sync().await.expect("the honest phone syncs");

    // Assert 2: never a 500; whatever was stored still loads for everyone.
    assert!(served > 50);
    assert_eq!(other.replica.client.status().waiting, 0);
    let list = server.api_as(&admin).get("/api/admin/leads").await;
    for lead in list.ok()["leads"].as_array().unwrap() {
        server.api_as(&admin).get(&format!("/api/admin/leads/{}", lead["lead_id"].as_str().unwrap())).await.ok();
    }
    let mut office = device(&server, &admin, "office");
    office.sync().await.expect("a fresh device pulls everything stored");
    server.stop().await;
}

async fn nul_characters_get_400_everywhere(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let api = server.api_as(&admin);

    // Act
    let login = server.api().post("/api/login", &json!({ "username": "ad\u{0}min", "password": "x", "device_name": "phone" })).await;
    let search = api.get("/api/admin/leads?q=Ra%00vi").await;
    let export = api.get("/api/admin/leads/export.csv?q=%00").await;
    let import = api.post("/api/admin/leads/import", &json!({ "format": "text", "data": "Ravi\u{0} 9876543210" })).await;
    let user = api.post("/api/admin/users", &json!({ "username": "nul", "display_name": "N\u{0}", "role": "telecaller", "password": "password-123" })).await;

    // Assert: the same clear 400 on both backends, and nothing was written.
    for (what, reply) in [("login", &login), ("search", &search), ("export", &export), ("import", &import), ("new user", &user)] {
        assert_eq!(reply.assert_error(StatusCode::BAD_REQUEST), "invalid_text", "{what}");
        assert!(reply.message().unwrap().contains("NUL"), "{what}: {}", reply.text);
    }
    assert_eq!(api.get("/api/admin/leads").await.ok()["total"], 0);
    // A literal backslash-u typed by someone is text, not a NUL.
    let literal = api.post("/api/admin/leads/import", &json!({ "format": "csv", "data": "name,mobile\nRavi \\u0000,9876543210\n" })).await;
    assert_eq!(literal.ok()["imported"], 1, "{}", literal.text);
    server.stop().await;
}

async fn a_bad_lead_never_fails_another_telecallers_push(backend: TestBackend) {
    // Arrange: Ravi's phone holds a lead whose name has a NUL (written below the app's
    // own checks); eight colleagues each have a call to push.
    let server = TestServer::start(backend).await;
    let mut ravi = telecaller(&server, "ravi").await;
    let (bad_id, _) = new_lead_changes(&mut ravi, 1, "placeholder");
    let doc = &mut ravi.replica.docs.get_mut(&DocId::Lead(bad_id.clone())).unwrap().doc;
    doc.put(ROOT, "name", "Ra\u{0}vi").unwrap();
    doc.commit();
    let mut others = Vec::new();
    for n in 0..8 {
        let mut dev = telecaller(&server, &format!("tc{n}")).await;
        dev.replica.create_lead(now(), new_lead(10 + n, &format!("Customer {n}"), Some(dev.replica.user))).unwrap();
        others.push(dev);
    }

    // Act: all push at once.
    let (bad, good) = tokio::join!(ravi.sync(), futures_util::future::join_all(others.iter_mut().map(|d| d.sync())));

    // Assert: Ravi's lead is refused with a reason; every other push is stored.
    bad.expect("Ravi's push is answered");
    assert!(
        matches!(ravi.replica.refusals.as_slice(), [(_, RefusalCode::Invalid, m)] if m.contains("name")),
        "{:?}",
        ravi.replica.refusals
    );
    for (n, result) in good.into_iter().enumerate() {
        result.unwrap_or_else(|e| panic!("telecaller {n}: {e:#}"));
        assert_eq!(others[n].replica.client.status().waiting, 0, "telecaller {n}'s push was stored");
    }
    let admin = server.login_admin().await;
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 8);
    server.stop().await;
}

async fn a_failing_push_in_a_shared_commit_fails_alone(backend: TestBackend) {
    // Arrange: pushes staged straight to the committer, below every check: one carries a
    // lead whose name PostgreSQL cannot store (a NUL); nineteen are ordinary.
    use dialbook_server::sync::commit::{Batch, Staged};
    let server = TestServer::start(backend).await;
    let staged = |name: &str| {
        let ctx = dialbook_core::lead::EditContext { user: UserId(1), device: "test".into(), now: now() };
        let mut doc = LeadDoc::create(automerge::ActorId::random(), &ctx, new_lead(1, "placeholder", None)).unwrap();
        doc.inner().put(ROOT, "name", name).unwrap();
        doc.inner().commit();
        let am = doc.into_inner().document().clone();
        let lead = read_lead(&am).unwrap();
        Batch {
            docs: vec![Staged { id: DocId::Lead(lead.id.clone()), read_at: None, snapshot: am.save(), new_changes: am.get_changes(&[]), before: None, lead: Some(lead) }],
            pushed_by: Some(UserId(1)),
            pushed_session: None,
        }
    };
    let mut batches = vec![staged("Bad\u{0}Name")];
    batches.extend((0..19).map(|n| staged(&format!("Good {n}"))));

    // Act: all at once, so the committer takes many into one transaction.
    let results = futures_util::future::join_all(batches.into_iter().map(|b| server.state.committer.commit(b))).await;

    // Assert: every ordinary push is stored, whatever happened to the bad one (Postgres
    // refuses it; SQLite stores NUL, which the lead checks keep out on both).
    for (n, r) in results.iter().enumerate().skip(1) {
        assert!(r.is_ok(), "push {n} failed with the bad one: {r:?}");
    }
    if server.backend == dialbook_tests::Backend::Postgres {
        assert!(results[0].is_err(), "Postgres stored a NUL?");
    }
    server.stop().await;
}

async fn concurrent_wrong_passwords_are_all_counted(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;

    // Act: 30 wrong passwords for one username, all at once.
    let guesses: Vec<String> = (0..30).map(|n| format!("guess-{n}")).collect();
    let replies = futures_util::future::join_all(guesses.iter().map(|g| server.try_login("admin", g, "phone"))).await;

    // Assert: five were checked (the limit), the rest refused unchecked.
    let count = |s: StatusCode| replies.iter().filter(|r| r.status == s).count();
    assert_eq!((count(StatusCode::UNAUTHORIZED), count(StatusCode::TOO_MANY_REQUESTS)), (5, 25), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    // The right password is now refused too, until the window passes.
    server.try_login("admin", dialbook_tests::ADMIN_PASSWORD, "phone").await.assert_error(StatusCode::TOO_MANY_REQUESTS);
    server.stop().await;
}

async fn long_inputs_get_a_clear_4xx(backend: TestBackend) {
    // Arrange: a server that also serves the app from a folder.
    let app = tempfile::tempdir().unwrap();
    std::fs::write(app.path().join("index.html"), "<!doctype html><title>Dialbook</title>").unwrap();
    let dir = app.path().to_owned();
    let server = TestServer::start_with(backend, move |c| c.static_dir = Some(dir)).await;
    let admin = server.login_admin().await;

    // Act
    let username_12k = server.try_login(&"u".repeat(12 * 1024), "whatever-password", "phone").await;
    let username_4m = server.try_login(&"u".repeat(4 << 20), "whatever-password", "phone").await;
    let password_1m = server.try_login("admin", &"p".repeat(1 << 20), "phone").await;
    let page = server.api().get(&format!("/{}", "a".repeat(10 * 1024))).await;
    let search = server.api_as(&admin).get(&format!("/api/admin/leads?q={}", "r".repeat(10 * 1024))).await;

    // Assert
    assert_eq!(username_12k.assert_error(StatusCode::BAD_REQUEST), "invalid_username");
    assert_eq!(username_4m.assert_error(StatusCode::BAD_REQUEST), "invalid_username");
    assert_eq!(password_1m.assert_error(StatusCode::BAD_REQUEST), "invalid_password");
    assert_eq!(page.assert_error(StatusCode::URI_TOO_LONG), "uri_too_long");
    assert_eq!(search.assert_error(StatusCode::URI_TOO_LONG), "uri_too_long");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE LENGTH(username) > 64")
        .fetch_one(&server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "an over-long username was stored");
    // The app itself still loads, and the admin's right password still works.
    server.api().get("/leads/42").await.ok();
    server.login_admin().await;
    server.stop().await;
}

async fn pushed_values_must_make_a_valid_lead(backend: TestBackend) {
    // Arrange: Ravi's phone with one synced lead.
    let server = TestServer::start(backend).await;
    let mut phone = telecaller(&server, "ravi").await;
    let id = phone.replica.create_lead(now(), new_lead(1, "Asha", Some(phone.replica.user))).unwrap();
    phone.sync().await.unwrap();
    let year_300k = Timestamp(300_000 * 365 * 86_400_000);
    let raw_name = |name: String| {
        move |dev: &mut Device, id: &LeadId| {
            dev.replica
                .edit(now(), id, |l, _| {
                    l.inner().put(ROOT, "name", name.as_str()).unwrap();
                    l.inner().commit();
                    Ok(())
                })
                .unwrap()
        }
    };
    type Edit = Box<dyn Fn(&mut Device, &LeadId)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        ("an empty name", Box::new(raw_name(String::new())), "name"),
        ("a 200 KB name", Box::new(raw_name("N".repeat(200_000))), "name"),
        (
            "a call in the year 300,000",
            Box::new(move |dev: &mut Device, id: &LeadId| {
                let call = CallLog { outcome: CallOutcome::NoAnswer, duration_secs: 10, note: String::new(), voice_note: None, follow_up: None };
                dev.replica.edit(year_300k, id, |l, ctx| l.log_call(ctx, &call)).unwrap();
            }),
            "activity time",
        ),
        (
            "a follow-up at the earliest timestamp",
            Box::new(|dev: &mut Device, id: &LeadId| dev.replica.edit(now(), id, |l, ctx| l.set_follow_up(ctx, Some(Timestamp(i64::MIN)))).unwrap()),
            "follow_up",
        ),
    ];
    let admin = server.login_admin().await;
    let before = server.api_as(&admin).get(&format!("/api/admin/leads/{id}")).await.ok().clone();

    for (what, edit, field) in cases {
        // Act
        phone.replica.refusals.clear();
        edit(&mut phone, &id);
        phone.sync().await.unwrap();

        // Assert: refused with the field named, reverted on the phone, nothing stored.
        assert!(
            matches!(phone.replica.refusals.as_slice(), [(_, RefusalCode::Invalid, m)] if m.contains(field)),
            "{what}: {:?}",
            phone.replica.refusals
        );
        assert_eq!(phone.replica.lead(&id).unwrap().name, "Asha", "{what}: the phone went back to the stored lead");
        assert_eq!(server.api_as(&admin).get(&format!("/api/admin/leads/{id}")).await.ok(), &before, "{what}");
    }
    server.stop().await;
}

async fn exported_cells_never_run_as_formulas(backend: TestBackend) {
    // Arrange: an imported list with formulas in it, and a note planted from a phone.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let csv = "name,mobile,source,car model\n\"=HYPERLINK(\"\"http://evil.example\"\",\"\"Ravi\"\")\",9876543210,@SUM(1+1),-2+3\n";
    server.api_as(&admin).post("/api/admin/leads/import", &json!({ "format": "csv", "data": csv })).await.ok();
    let mut office = device(&server, &admin, "office");
    let id = office.replica.create_lead(now(), new_lead(5, "Sita", None)).unwrap();
    office.replica.edit(now(), &id, |l, ctx| l.set_notes(ctx, "+cmd|' /C calc'!A0")).unwrap();
    office.sync().await.unwrap();

    // Act
    let reply = server.api_as(&admin).get("/api/admin/leads/export.csv").await;

    // Assert: every typed cell that would start a formula starts with ' instead; the
    // numbers are as they were.
    let mut r = csv::Reader::from_reader(reply.text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let imported = rows.iter().find(|r| r[col("name")].contains("HYPERLINK")).expect("the imported row");
    assert_eq!(&imported[col("name")], "'=HYPERLINK(\"http://evil.example\",\"Ravi\")");
    assert_eq!(&imported[col("source")], "'@SUM(1+1)");
    assert_eq!(&imported[col("car_model")], "'-2+3");
    assert_eq!(&imported[col("mobile")], "+919876543210");
    let planted = rows.iter().find(|r| &r[col("name")] == "Sita").expect("the phone's lead");
    assert_eq!(&planted[col("notes")], "'+cmd|' /C calc'!A0");
    // Headers are safe as well: every JSON answer says how not to sniff it.
    let me = server.api_as(&admin).get("/api/me").await;
    assert_eq!(me.headers["x-content-type-options"], "nosniff");
    assert_eq!(me.headers["referrer-policy"], "no-referrer");
    server.stop().await;
}

#[test]
fn a_change_claiming_more_operations_than_it_holds_is_refused_unread() {
    // The forgery is well formed: with an honest count it parses.
    let mut doc = automerge::AutoCommit::new();
    doc.put(ROOT, "k", 1).unwrap();
    let change = doc.get_changes(&[]).last().unwrap().raw_bytes().to_vec();
    assert!(parse_change(&hostile::claiming_ops(&change, 1), &mut Budget::per_request()).is_ok());
    let err = parse_change(&hostile::claiming_ops(&change, 1 << 62), &mut Budget::per_request()).unwrap_err();
    assert!(err.contains("operations"), "{err}");
}
