//! The sync protocol end to end: real HTTP on port 0, native clients built on core, on
//! SQLite and on Postgres.

use dialbook_core::lead::{ActivityKind, CallLog};
use dialbook_core::protocol::client::Event;
use dialbook_core::protocol::wire::{self, CONTENT_TYPE, DocChanges, PullRequest, PullResponse, PushRequest, PushResponse, PushStatus, RefusalCode};
use dialbook_core::{CallOutcome, DocId, LeadId, Role};
use dialbook_tests::client::{Device, device, new_lead, now};
use dialbook_tests::{StatusCode, TestBackend, TestServer, on_both_backends};
use serde_json::json;

on_both_backends!(
    two_phones_log_calls_offline_and_both_survive,
    reassignment_revokes_the_old_phone,
    telecallers_write_only_what_they_may,
    bad_sync_input_gets_json_4xx_and_stores_nothing,
    a_fresh_phone_pulls_in_pages_with_progress,
    an_idle_reconnect_is_one_small_request,
    a_server_that_lost_changes_is_repaired_by_fallback_sync,
    a_role_change_changes_what_the_phone_holds,
);

fn call(outcome: CallOutcome, note: &str) -> CallLog {
    CallLog { outcome, duration_secs: 75, note: note.into(), voice_note: None, follow_up: None }
}

/// An admin device with `n` leads assigned to `to`, synced.
async fn admin_with_leads(server: &TestServer, admin: &dialbook_tests::Session, n: u32, to: Option<dialbook_core::UserId>) -> (Device, Vec<LeadId>) {
    let mut office = device(server, admin, "office PC");
    let ids = (0..n).map(|i| office.replica.create_lead(now(), new_lead(i, &format!("Lead {i}"), to)).unwrap()).collect();
    office.sync().await.expect("admin sync");
    (office, ids)
}

async fn server_lead(server: &TestServer, admin: &dialbook_tests::Session, id: &LeadId) -> serde_json::Value {
    server.api_as(admin).get(&format!("/api/admin/leads/{id}")).await.ok().clone()
}

async fn two_phones_log_calls_offline_and_both_survive(backend: TestBackend) {
    // Arrange: one lead assigned to Priya, who has it on two phones.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (priya_id, pw) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let (_office, ids) = admin_with_leads(&server, &admin, 1, Some(priya_id)).await;
    let lead = &ids[0];
    let mut phone_a = device(&server, &server.login("priya", &pw, "Redmi").await, "Redmi");
    let mut phone_b = device(&server, &server.login("priya", &pw, "Samsung").await, "Samsung");
    phone_a.sync().await.unwrap();
    phone_b.sync().await.unwrap();

    // Act: both phones go offline and log a call on the same lead.
    for (phone, note) in [(&mut phone_a, "from A"), (&mut phone_b, "from B")] {
        phone.replica.handle(now(), Event::Offline).unwrap();
        phone.replica.edit(now(), lead, |l, ctx| l.log_call(ctx, &call(CallOutcome::Callback, note))).unwrap();
    }
    phone_a.sync().await.unwrap();
    phone_b.sync().await.unwrap();
    phone_a.sync().await.unwrap();

    // Assert: both calls are on the server and on both phones.
    for phone in [&phone_a, &phone_b] {
        let notes: Vec<String> = phone.replica.lead(lead).unwrap().calls().map(|(_, c)| c.note.clone()).collect();
        assert_eq!(notes.len(), 2, "{}: {notes:?}", phone.replica.device);
        assert!(notes.contains(&"from A".into()) && notes.contains(&"from B".into()));
    }
    let on_server = server_lead(&server, &admin, lead).await;
    let calls = on_server["activities"].as_array().unwrap().iter().filter(|a| a["kind"].get("Call").is_some()).count();
    assert_eq!(calls, 2, "{on_server}");
    let stats = server.api_as(&admin).get("/api/admin/stats").await;
    assert_eq!(stats.ok()["users"].as_array().unwrap().iter().find(|u| u["user_id"] == priya_id.0).unwrap()["calls"], 2);
    server.stop().await;
}

async fn reassignment_revokes_the_old_phone(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, ravi_pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (sita, sita_pw) = server.create_user(&admin.token, "sita", Role::Telecaller).await;
    let (_office, ids) = admin_with_leads(&server, &admin, 3, Some(ravi)).await;
    let mut ravi_phone = device(&server, &server.login("ravi", &ravi_pw, "phone").await, "phone");
    let mut sita_phone = device(&server, &server.login("sita", &sita_pw, "phone").await, "phone");
    ravi_phone.sync().await.unwrap();
    sita_phone.sync().await.unwrap();
    ravi_phone.replica.edit(now(), &ids[0], |l, ctx| l.log_call(ctx, &call(CallOutcome::Interested, "keen"))).unwrap();
    ravi_phone.sync().await.unwrap();
    assert_eq!(ravi_phone.replica.leads().len(), 3);
    assert_eq!(sita_phone.replica.leads().len(), 0);

    // Act: the admin moves lead 0 to Sita.
    let moved = server.api_as(&admin).post("/api/admin/leads/assign", &json!({ "lead_ids": [ids[0].to_string()], "to": { "user": sita.0 } })).await;
    ravi_phone.sync().await.unwrap();
    sita_phone.sync().await.unwrap();

    // Assert
    assert_eq!(moved.ok()[0]["ok"], true, "{}", moved.text);
    assert!(ravi_phone.replica.lead(&ids[0]).is_none(), "Ravi's phone still shows the moved lead");
    assert_eq!(ravi_phone.replica.leads().len(), 2);
    let lead = sita_phone.replica.lead(&ids[0]).expect("Sita's phone has the lead");
    assert_eq!(lead.assignee, Some(sita));
    assert_eq!(lead.calls().count(), 1, "Ravi's call history came along");
    assert!(lead.activities.iter().any(|a| matches!(a.kind, ActivityKind::Assigned { to: Some(t), .. } if t == sita)));
    server.stop().await;
}

async fn telecallers_write_only_what_they_may(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, ravi_pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (sita, sita_pw) = server.create_user(&admin.token, "sita", Role::Telecaller).await;
    let (_office, ids) = admin_with_leads(&server, &admin, 2, Some(ravi)).await;
    let ravi_session = server.login("ravi", &ravi_pw, "phone").await;
    let mut ravi_phone = device(&server, &ravi_session, "phone");
    ravi_phone.sync().await.unwrap();
    let before = server_lead(&server, &admin, &ids[0]).await;

    // Act 1: Ravi tries to hand lead 0 to Sita and to delete lead 1 (both admin-only).
    ravi_phone.replica.edit(now(), &ids[0], |l, ctx| l.assign(ctx, Some(sita))).unwrap();
    ravi_phone.replica.edit(now(), &ids[1], |l, ctx| l.set_deleted(ctx, true)).unwrap();
    ravi_phone.sync().await.unwrap();

    // Assert 1: refused per doc with a reason, reverted on the phone, nothing stored.
    let codes: Vec<RefusalCode> = ravi_phone.replica.refusals.iter().map(|(_, c, _)| *c).collect();
    assert_eq!(codes, vec![RefusalCode::FieldNotAllowed, RefusalCode::FieldNotAllowed]);
    assert_eq!(ravi_phone.replica.lead(&ids[0]).unwrap().assignee, Some(ravi));
    assert!(!ravi_phone.replica.lead(&ids[1]).unwrap().deleted);
    assert_eq!(server_lead(&server, &admin, &ids[0]).await, before);

    // Act 2: Sita, who has no leads, forges a push to Ravi's lead from a copy of it.
    let sita_session = server.login("sita", &sita_pw, "phone").await;
    let mut forged = ravi_phone.replica.docs[&DocId::Lead(ids[0].clone())].clone();
    let heads = forged.doc.get_heads();
    let mut lead_doc = dialbook_core::lead::LeadDoc::from_autocommit(forged.doc);
    lead_doc.set_notes(&dialbook_core::lead::EditContext { user: sita, device: "x".into(), now: now() }, "mine").unwrap();
    forged.doc = lead_doc.into_inner();
    let changes = forged.doc.get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();
    let mut sita_phone = device(&server, &sita_session, "phone");
    let (status, body) = sita_phone
        .post_raw("/api/sync/push", CONTENT_TYPE, wire::encode(&PushRequest { docs: vec![DocChanges { doc: DocId::Lead(ids[0].clone()), changes }] }))
        .await
        .unwrap();

    // Assert 2
    assert_eq!(status, 200);
    let resp: PushResponse = wire::decode(&body).unwrap();
    assert!(matches!(&resp.results[0].status, PushStatus::Refused { code: RefusalCode::NotYours, .. }), "{resp:?}");
    assert_eq!(server_lead(&server, &admin, &ids[0]).await["notes"], "");

    // And without a session there is no sync at all.
    let anon = reqwest::Client::new()
        .post(format!("{}/api/sync/pull", server.base_url))
        .header("content-type", CONTENT_TYPE)
        .body(wire::encode(&PullRequest { cursor: vec![], max_bytes: 1 << 20 }))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    assert!(anon.json::<serde_json::Value>().await.unwrap()["error"].is_string());
    server.stop().await;
}

async fn bad_sync_input_gets_json_4xx_and_stores_nothing(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let mut office = device(&server, &admin, "office");
    let good = office.replica.create_lead(now(), new_lead(1, "Good", None)).unwrap();
    let good_changes = office.replica.docs[&DocId::Lead(good.clone())].clone().unpushed().0;
    let truncated = {
        let mut c = good_changes[0].clone();
        c.truncate(c.len() - 5);
        c
    };
    let push = |docs: Vec<DocChanges>| wire::encode(&PushRequest { docs });
    let bad_doc = DocId::Lead(LeadId::parse("bad").unwrap());
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        ("garbage body", CONTENT_TYPE, b"\x01garbage".to_vec(), 400, "malformed_message"),
        ("empty body", CONTENT_TYPE, vec![], 400, "malformed_message"),
        ("other protocol version", CONTENT_TYPE, { let mut b = push(vec![]); b[0] = 99; b }, 400, "malformed_message"),
        ("JSON instead of binary", "application/json", b"{}".to_vec(), 415, "unsupported_media_type"),
        (
            "a good doc next to a truncated change",
            CONTENT_TYPE,
            push(vec![DocChanges { doc: DocId::Lead(good.clone()), changes: good_changes.clone() }, DocChanges { doc: bad_doc.clone(), changes: vec![truncated] }]),
            400,
            "malformed_change",
        ),
        ("not Automerge at all", CONTENT_TYPE, push(vec![DocChanges { doc: bad_doc.clone(), changes: vec![b"hello".to_vec()] }]), 400, "malformed_change"),
        (
            "the same doc twice",
            CONTENT_TYPE,
            push(vec![DocChanges { doc: DocId::Lead(good.clone()), changes: good_changes.clone() }, DocChanges { doc: DocId::Lead(good.clone()), changes: good_changes.clone() }]),
            400,
            "duplicate_doc",
        ),
    ];

    for (what, content_type, body, want, code) in cases {
        // Act
        let (status, reply) = office.post_raw("/api/sync/push", content_type, body).await.unwrap();

        // Assert: a 4xx with a JSON error, never a 500.
        assert_eq!(status, want, "{what}: {}", String::from_utf8_lossy(&reply));
        let json: serde_json::Value = serde_json::from_slice(&reply).unwrap_or_else(|_| panic!("{what}: not JSON: {}", String::from_utf8_lossy(&reply)));
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {json}");
        if !code.is_empty() {
            assert_eq!(json["error"], code, "{what}: {json}");
        }
    }
    // An oversized body, on a connection of its own: the server answers 413 without
    // reading the rest and closes that connection.
    let big = reqwest::Client::new()
        .post(format!("{}/api/sync/push", server.base_url))
        .bearer_auth(&admin.token)
        .header("content-type", CONTENT_TYPE)
        .body(vec![1u8; 17 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(big.json::<serde_json::Value>().await.unwrap()["message"].is_string());
    let bad_cursor = office.post_raw("/api/sync/pull", CONTENT_TYPE, wire::encode(&PullRequest { cursor: vec![0xff; 7], max_bytes: 0 })).await.unwrap();
    assert_eq!(bad_cursor.0, 400, "{}", String::from_utf8_lossy(&bad_cursor.1));
    let unknown_doc = wire::encode(&dialbook_core::protocol::wire::DocSyncRequest {
        doc: bad_doc,
        message: {
            use automerge::sync::SyncDoc;
            automerge::AutoCommit::new().sync().generate_sync_message(&mut automerge::sync::State::new()).expect("a first message").encode()
        },
    });
    let (status, _) = office.post_raw("/api/sync/doc", CONTENT_TYPE, unknown_doc).await.unwrap();
    assert_eq!(status, 404);

    // Nothing of the refused requests was stored: the good lead is not on the server.
    let found = server.api_as(&admin).get("/api/admin/leads").await;
    assert_eq!(found.ok()["total"], 0, "{}", found.text);
    // And the device can still sync normally afterwards.
    office.sync().await.unwrap();
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 1);
    server.stop().await;
}

async fn a_fresh_phone_pulls_in_pages_with_progress(backend: TestBackend) {
    // Arrange: 120 leads for Ravi, with a few edits each.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (mut office, ids) = admin_with_leads(&server, &admin, 120, Some(ravi)).await;
    for id in ids.iter().take(30) {
        office.replica.edit(now(), id, |l, ctx| l.set_notes(ctx, "prefers Hindi")).unwrap();
    }
    office.sync().await.unwrap();
    let session = server.login("ravi", &pw, "new phone").await;
    let mut phone = device(&server, &session, "new phone");

    // Act: pull page by page with a small page size, recording progress.
    let mut cursor = Vec::new();
    let mut progress = Vec::new();
    let mut pages = 0;
    loop {
        let req = PullRequest { cursor: cursor.clone(), max_bytes: 0 }; // the server's minimum page
        let (status, body) = phone.post_raw("/api/sync/pull", CONTENT_TYPE, wire::encode(&req)).await.unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let resp: PullResponse = wire::decode(&body).unwrap();
        pages += 1;
        progress.extend(resp.progress);
        cursor = resp.cursor.clone();
        let more = resp.more;
        phone.replica.handle(now(), Event::Pulled(resp)).unwrap();
        if !more {
            break;
        }
        assert!(pages < 100, "pull does not end");
    }

    // Assert
    assert!(pages > 1, "expected several pages, got {pages}");
    assert_eq!(phone.replica.leads().len(), 120);
    assert!(phone.replica.docs.contains_key(&DocId::Team), "the team settings came too");
    assert_eq!(phone.replica.lead(&ids[0]).unwrap().notes, "prefers Hindi");
    let last = progress.last().expect("progress reported");
    assert_eq!((last.done, last.total), (121, 121));
    assert!(progress.windows(2).all(|w| w[0].done <= w[1].done), "{progress:?}");
    server.stop().await;
}

async fn an_idle_reconnect_is_one_small_request(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    admin_with_leads(&server, &admin, 50, Some(ravi)).await;
    let mut phone = device(&server, &server.login("ravi", &pw, "phone").await, "phone");
    phone.sync().await.unwrap();
    let before = phone.transfer;

    // Act
    phone.sync().await.unwrap();

    // Assert
    let requests = phone.transfer.requests - before.requests;
    let bytes = phone.transfer.bytes_up + phone.transfer.bytes_down - before.bytes_up - before.bytes_down;
    assert_eq!(requests, 1);
    assert!(bytes < 2048, "{bytes} bytes");

    // And a phone is not sent back what it pushed itself; another device is.
    let id = phone.replica.leads()[0].id.clone();
    phone.replica.edit(now(), &id, |l, ctx| l.log_call(ctx, &call(CallOutcome::NoAnswer, "no reply"))).unwrap();
    phone.push_pending().await.unwrap();
    let pull = PullRequest { cursor: phone.replica.client.cursor().to_vec(), max_bytes: 1 << 20 };
    let (_, body) = phone.post_raw("/api/sync/pull", CONTENT_TYPE, wire::encode(&pull)).await.unwrap();
    let own: PullResponse = wire::decode(&body).unwrap();
    assert!(own.items.is_empty(), "the phone's own call came back: {:?}", own.items.len());
    let mut tablet = device(&server, &server.login("ravi", &pw, "tablet").await, "tablet");
    let (_, body) = tablet.post_raw("/api/sync/pull", CONTENT_TYPE, wire::encode(&pull)).await.unwrap();
    let theirs: PullResponse = wire::decode(&body).unwrap();
    assert_eq!(theirs.items.len(), 1, "another device gets the call");
    server.stop().await;
}

async fn a_server_that_lost_changes_is_repaired_by_fallback_sync(backend: TestBackend) {
    // Arrange: the phone believes the server has its first call (as after a server
    // restored from an older backup), but the server never stored it.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (_office, ids) = admin_with_leads(&server, &admin, 1, Some(ravi)).await;
    let session = server.login("ravi", &pw, "phone").await;
    let mut phone = device(&server, &session, "phone");
    phone.sync().await.unwrap();
    let lead = DocId::Lead(ids[0].clone());
    phone.replica.edit(now(), &ids[0], |l, ctx| l.log_call(ctx, &call(CallOutcome::NoAnswer, "one"))).unwrap();
    let rd = phone.replica.docs.get_mut(&lead).unwrap();
    rd.acked = rd.doc.get_heads();
    phone.replica.edit(now(), &ids[0], |l, ctx| l.log_call(ctx, &call(CallOutcome::Interested, "two"))).unwrap();

    // Act: the push of call two depends on call one, which the server lacks.
    phone.sync().await.unwrap();
    let mut other = device(&server, &server.login("ravi", &pw, "tablet").await, "tablet");
    other.sync().await.unwrap();

    // Assert: the fallback sync delivered both calls; nothing was refused.
    assert!(phone.replica.refusals.is_empty(), "{:?}", phone.replica.refusals);
    assert_eq!(server_lead(&server, &admin, &ids[0]).await["activities"].as_array().unwrap().iter().filter(|a| a["kind"].get("Call").is_some()).count(), 2);
    assert_eq!(other.replica.lead(&ids[0]).unwrap().calls().count(), 2);
    server.stop().await;
}

async fn a_role_change_changes_what_the_phone_holds(backend: TestBackend) {
    // Arrange: four leads, one of them Ravi's; Ravi's phone holds just that one.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (_office, ids) = admin_with_leads(&server, &admin, 3, None).await;
    let mut office = device(&server, &admin, "office 2");
    let mine = office.replica.create_lead(now(), new_lead(7, "Ravi's lead", Some(ravi))).unwrap();
    office.sync().await.unwrap();
    let mut phone = device(&server, &server.login("ravi", &pw, "phone").await, "phone");
    phone.sync().await.unwrap();
    assert_eq!(phone.replica.leads().len(), 1);
    let path = format!("/api/admin/users/{}", ravi.0);

    // Act 1: Ravi becomes an admin; his phone syncs as before.
    server.api_as(&admin).patch(&path, &json!({ "role": "admin" })).await.ok();
    phone.sync().await.unwrap();

    // Assert 1: his phone now holds every lead.
    assert_eq!(phone.replica.leads().len(), 4);
    assert!(ids.iter().all(|id| phone.replica.lead(id).is_some()));

    // Act 2: back to telecaller.
    server.api_as(&admin).patch(&path, &json!({ "role": "telecaller" })).await.ok();
    phone.sync().await.unwrap();

    // Assert 2: only his own lead is left on the phone, and the others are untouched.
    assert_eq!(phone.replica.leads().iter().map(|l| l.id.clone()).collect::<Vec<_>>(), vec![mine]);
    assert_eq!(server.api_as(&admin).get("/api/admin/leads").await.ok()["total"], 4);
    server.stop().await;
}
