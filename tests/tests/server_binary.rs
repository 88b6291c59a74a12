//! The shipped `dialbook-server` program: a fresh install prints the first admin's
//! password, that password works, and SIGTERM stops the server cleanly.

use dialbook_tests::{Api, ServerProcess, StatusCode, TestBackend, on_both_backends};
use std::time::Duration;

on_both_backends!(a_fresh_install_prints_a_working_admin_password_and_stops_on_sigterm);

async fn a_fresh_install_prints_a_working_admin_password_and_stops_on_sigterm(backend: TestBackend) {
    // Arrange: an empty database and no admin password configured.
    let db = dialbook_tests::TestDatabase::create(backend).await;
    let server = tokio::task::spawn_blocking({
        let url = db.url.clone();
        move || ServerProcess::start(&[], &[("DATABASE_URL", url.as_str())])
    })
    .await
    .unwrap();

    // Act: read the password from the start-up box and log in with it.
    let boxed = server.startup_output.join("\n");
    let password = boxed
        .split("password: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no password in the start-up output:\n{boxed}"))
        .to_owned();
    let api = Api::new(&server.base_url);
    let login = api
        .post("/api/login", &serde_json::json!({ "username": "admin", "password": password, "device_name": "laptop" }))
        .await;
    let health = api.get("/health").await;
    let (status, logs) = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(20))).await.unwrap();

    // Assert
    assert!(boxed.contains("First admin created — username: admin"), "{boxed}");
    assert_eq!(password.chars().count(), 16, "{boxed}");
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    assert_eq!(health.status, StatusCode::OK);
    assert!(status.success(), "exit status {status}; logs:\n{logs}");
    assert!(logs.contains("shutting down"), "logs:\n{logs}");
    db.remove().await;
}
