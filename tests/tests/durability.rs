//! A push the server acknowledged is on disk: kill the real server process with SIGKILL
//! right after the acknowledgement, start it again on the same database, and the change
//! is there — and the phone's session still works.

use dialbook_core::lead::CallLog;
use dialbook_core::{CallOutcome, UserId};
use dialbook_tests::client::{Device, new_lead, now};
use dialbook_tests::server::TestDatabase;
use dialbook_tests::{Api, ServerProcess, TestBackend, on_both_backends};
use serde_json::json;

on_both_backends!(an_acknowledged_push_survives_sigkill);

async fn start(url: &str) -> ServerProcess {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || ServerProcess::start(&[], &[("DATABASE_URL", url.as_str()), ("DIALBOOK_ADMIN_PASSWORD", "kill-test-password")]))
        .await
        .unwrap()
}

async fn an_acknowledged_push_survives_sigkill(backend: TestBackend) {
    // Arrange
    let db = TestDatabase::create(backend).await;
    let server = start(&db.url).await;
    let login = Api::new(&server.base_url)
        .post("/api/login", &json!({ "username": "admin", "password": "kill-test-password", "device_name": "office" }))
        .await;
    let token = login.ok()["token"].as_str().unwrap().to_owned();
    let user = UserId(login.json["user"]["id"].as_i64().unwrap());
    let mut office = Device::new(&server.base_url, &token, user, "office");
    let id = office.replica.create_lead(now(), new_lead(42, "Kiran", None)).unwrap();
    office
        .replica
        .edit(now(), &id, |l, ctx| l.log_call(ctx, &CallLog { outcome: CallOutcome::Converted, duration_secs: 300, note: "booked service".into(), voice_note: None, follow_up: None }))
        .unwrap();

    // Act: the push is acknowledged, then the server dies without any chance to flush.
    office.sync().await.expect("acknowledged");
    assert_eq!(office.replica.client.status().waiting, 0, "the push was acknowledged");
    drop(server); // SIGKILL
    let restarted = start(&db.url).await;

    // Assert
    let mut fresh = Device::new(&restarted.base_url, &token, user, "office");
    fresh.sync().await.expect("the old session still works after a restart");
    let lead = fresh.replica.lead(&id).expect("the acknowledged lead survived");
    assert_eq!(lead.calls().count(), 1);
    assert_eq!(lead.calls().next().unwrap().1.note, "booked service");
    drop(restarted);
    db.remove().await;
}
