//! Given a certificate and key, the shipped server speaks HTTPS (phones need it for the
//! service worker). Checked with the real binary, a certificate made by `openssl`, and
//! `curl` verifying it — the way an admin would check their own install.

use dialbook_tests::ServerProcess;
use dialbook_tests::server::TestDatabase;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_the_given_certificate() {
    // Arrange: a self-signed certificate for 127.0.0.1.
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=dialbook-test"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl is installed");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let db = TestDatabase::create(dialbook_tests::TestBackend::Sqlite).await;

    // Act
    let (cert_s, key_s, url) = (cert.display().to_string(), key.display().to_string(), db.url.clone());
    let server = tokio::task::spawn_blocking(move || {
        ServerProcess::start(&["--tls-cert", &cert_s, "--tls-key", &key_s], &[("DATABASE_URL", url.as_str()), ("DIALBOOK_ADMIN_PASSWORD", "https-test-pw")])
    })
    .await
    .unwrap();
    let health = Command::new("curl").args(["--silent", "--show-error", "--cacert"]).arg(&cert).arg(format!("{}/health", server.base_url)).output().expect("curl is installed");
    let plain = Command::new("curl").args(["--silent", "--max-time", "5"]).arg(format!("{}/health", server.base_url.replacen("https://", "http://", 1))).output().unwrap();

    // Assert: verified TLS works; plain HTTP on the TLS port does not.
    assert!(server.base_url.starts_with("https://"), "{}", server.base_url);
    assert!(health.status.success(), "{}", String::from_utf8_lossy(&health.stderr));
    assert!(String::from_utf8_lossy(&health.stdout).contains("\"status\":\"ok\""), "{}", String::from_utf8_lossy(&health.stdout));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("\"status\":\"ok\""));
    drop(server);
    db.remove().await;
}
