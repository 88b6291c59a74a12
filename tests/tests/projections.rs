//! The projections (search, dashboards, export) are derived data: wiped or gone stale,
//! `dialbook-server rebuild-projections` brings them back from the change log exactly.

use dialbook_core::lead::CallLog;
use dialbook_core::{CallOutcome, Role};
use dialbook_tests::client::{device, new_lead, now};
use dialbook_tests::{TestBackend, TestServer, on_both_backends, server_binary};
use serde_json::{Value, json};

on_both_backends!(rebuilding_projections_from_the_log_restores_search_and_stats);

async fn snapshot(server: &TestServer, admin: &dialbook_tests::Session) -> (Value, Value) {
    let leads = server.api_as(admin).get("/api/admin/leads?limit=500").await.ok().clone();
    let stats = server.api_as(admin).get("/api/admin/stats").await.ok().clone();
    (leads, stats)
}

async fn rebuilding_projections_from_the_log_restores_search_and_stats(backend: TestBackend) {
    // Arrange: leads created, reassigned, called.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let (sita, _) = server.create_user(&admin.token, "sita", Role::Telecaller).await;
    let mut office = device(&server, &admin, "office");
    let ids: Vec<_> = (0..6).map(|i| office.replica.create_lead(now(), new_lead(i, &format!("Lead {i}"), Some(ravi))).unwrap()).collect();
    office.sync().await.unwrap();
    let mut phone = device(&server, &server.login("ravi", &pw, "phone").await, "phone");
    phone.sync().await.unwrap();
    for (i, id) in ids.iter().enumerate().take(4) {
        let outcome = CallOutcome::ALL[i];
        phone.replica.edit(now(), id, |l, ctx| l.log_call(ctx, &CallLog { outcome, duration_secs: 30, note: format!("call {i}"), voice_note: None, follow_up: None })).unwrap();
    }
    phone.sync().await.unwrap();
    server.api_as(&admin).post("/api/admin/leads/assign", &json!({ "lead_ids": [ids[5].to_string()], "to": { "user": sita.0 } })).await.ok();
    let before = snapshot(&server, &admin).await;

    // Act: wipe the projections, then run the real command against the same database.
    for table in ["leads", "call_activities", "revocations"] {
        let mut tx = server.state.db.write_tx().await.unwrap();
        sqlx::query(&format!("DELETE FROM {table}")).execute(tx.conn()).await.unwrap();
        tx.commit().await.unwrap();
    }
    let wiped = snapshot(&server, &admin).await;
    let db_url = server.db_url.clone();
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(server_binary()).arg("rebuild-projections").env("DATABASE_URL", db_url).output().unwrap())
        .await
        .unwrap();

    // Assert
    assert_eq!(wiped.0["total"], 0);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Rebuilt projections for 6 leads"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(snapshot(&server, &admin).await, before);
    // Revocations came back too: Ravi's fresh phone does not get Sita's lead, and his
    // old phone drops it.
    phone.sync().await.unwrap();
    assert!(phone.replica.lead(&ids[5]).is_none());
    server.stop().await;
}
