//! The server's database is restored from an older backup. Devices notice (even when
//! other devices have pushed the log past their cursor again), resync, and push back the
//! work the server lost: each device what it may write.

use dialbook_core::lead::CallLog;
use dialbook_core::{CallOutcome, UserId};
use dialbook_tests::client::{Device, new_lead, now};
use dialbook_tests::server::TestDatabase;
use dialbook_tests::{Api, ServerProcess, TestBackend};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

async fn start(url: &str) -> ServerProcess {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || ServerProcess::start(&[], &[("DATABASE_URL", url.as_str()), ("DIALBOOK_ADMIN_PASSWORD", "restore-test-pw")]))
        .await
        .unwrap()
}

async fn stop(server: ServerProcess) {
    let (status, logs) = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(20))).await.unwrap();
    assert!(status.success(), "{logs}");
}

/// The database file and its WAL companions.
fn files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"].iter().map(|suffix| PathBuf::from(format!("{}{suffix}", db.display()))).collect()
}

fn copy_files(from: &Path, to: &Path) {
    for (f, t) in files(from).iter().zip(files(to)) {
        let _ = std::fs::remove_file(&t);
        if f.exists() {
            std::fs::copy(f, &t).unwrap();
        }
    }
}

async fn login(base: &str, username: &str, password: &str) -> (String, UserId) {
    let reply = Api::new(base).post("/api/login", &json!({ "username": username, "password": password, "device_name": "phone" })).await;
    (reply.ok()["token"].as_str().unwrap().to_owned(), UserId(reply.json["user"]["id"].as_i64().unwrap()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_server_gets_lost_work_back_from_the_devices() {
    // Arrange: an admin's office PC and Ravi's phone, three leads, all synced; a backup.
    let db = TestDatabase::create(TestBackend::Sqlite).await;
    let file = PathBuf::from(db.url.trim_start_matches("sqlite://"));
    let backup = file.with_extension("backup");
    let server = start(&db.url).await;
    let (admin_token, admin) = login(&server.base_url, "admin", "restore-test-pw").await;
    let created = Api::new(&server.base_url)
        .with_token(&admin_token)
        .post("/api/admin/users", &json!({ "username": "ravi", "display_name": "Ravi", "password": "ravi-password", "role": "telecaller" }))
        .await;
    let ravi = UserId(created.ok()["id"].as_i64().unwrap());
    let (ravi_token, _) = login(&server.base_url, "ravi", "ravi-password").await;
    let mut office = Device::new(&server.base_url, &admin_token, admin, "office");
    let mut phone = Device::new(&server.base_url, &ravi_token, ravi, "phone");
    let ids: Vec<_> = (0..3).map(|i| office.replica.create_lead(now(), new_lead(i, &format!("Lead {i}"), Some(ravi))).unwrap()).collect();
    office.sync().await.unwrap();
    phone.sync().await.unwrap();
    stop(server).await;
    copy_files(&file, &backup);

    // Work done after the backup: a call on lead 0 from the phone, a new lead from the office.
    let server = start(&db.url).await;
    let base = server.base_url.clone();
    let mut office = retarget(office, &base, &admin_token, admin);
    let mut phone = retarget(phone, &base, &ravi_token, ravi);
    let call = CallLog { outcome: CallOutcome::Interested, duration_secs: 90, note: "wants a quote".into(), voice_note: None, follow_up: None };
    phone.replica.edit(now(), &ids[0], |l, ctx| l.log_call(ctx, &call)).unwrap();
    phone.sync().await.unwrap();
    let late = office.replica.create_lead(now(), new_lead(9, "Late lead", Some(ravi))).unwrap();
    office.sync().await.unwrap();
    phone.sync().await.unwrap();
    assert_eq!(phone.replica.leads().len(), 4);
    stop(server).await;

    // Act: restore the backup. Before the phone reconnects, someone else pushes enough to
    // take the log past the phone's cursor, so only the cursor's fingerprint can tell.
    copy_files(&backup, &file);
    let server = start(&db.url).await;
    let base = server.base_url.clone();
    let mut office = retarget(office, &base, &admin_token, admin);
    let mut phone = retarget(phone, &base, &ravi_token, ravi);
    let mut other = Device::new(&base, &admin_token, admin, "another PC");
    for i in 10..20 {
        other.replica.create_lead(now(), new_lead(i, &format!("Filler {i}"), None)).unwrap();
    }
    other.sync().await.unwrap();
    phone.sync().await.unwrap();
    office.sync().await.unwrap();
    phone.sync().await.unwrap();

    // Assert: the phone's call and the office's lead are back on the server and the phone.
    let lead0 = phone.replica.lead(&ids[0]).unwrap();
    assert_eq!(lead0.calls().count(), 1, "the phone's call was pushed again");
    let on_server = Api::new(&base).with_token(&admin_token).get(&format!("/api/admin/leads/{}", ids[0])).await;
    assert_eq!(on_server.ok()["activities"].as_array().unwrap().iter().filter(|a| a["kind"].get("Call").is_some()).count(), 1);
    assert!(phone.replica.lead(&late).is_some(), "the office pushed its lead again and the phone has it");
    assert_eq!(phone.replica.leads().len(), 4);
    drop(server);
    let _ = std::fs::remove_file(&backup);
    db.remove().await;
}

/// The same device, now talking to a restarted server (a new port).
fn retarget(device: Device, base: &str, token: &str, user: UserId) -> Device {
    let mut d = Device::new(base, token, user, &device.replica.device);
    d.replica = device.replica;
    d
}

