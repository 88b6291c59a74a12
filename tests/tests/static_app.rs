//! The server hands out the built PWA: the app shell uncached, deep links falling back to
//! index.html, while API paths and missing assets still answer JSON errors.

use dialbook_tests::{StatusCode, TestBackend, TestServer};

#[tokio::test]
async fn the_pwa_is_served_with_an_uncached_shell_and_deep_links() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Dialbook</title>").unwrap();
    std::fs::write(dir.path().join("sw.js"), "self.addEventListener('fetch', () => {});").unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/app-1f3a.js"), "console.log('app')").unwrap();
    let static_dir = dir.path().to_owned();
    let server = TestServer::start_with(TestBackend::Sqlite, |c| c.static_dir = Some(static_dir)).await;
    let api = server.api();

    // Act
    let root = api.get("/").await;
    let deep_link = api.get("/leads/3f2a9c").await;
    let worker = api.get("/sw.js").await;
    let asset = api.get("/assets/app-1f3a.js").await;
    let missing_asset = api.get("/assets/app-old.js").await;
    let unknown_api = api.get("/api/nope").await;
    let post_to_page = api.post("/leads/3f2a9c", &serde_json::json!({})).await;

    // Assert
    for (what, reply) in [("/", &root), ("deep link", &deep_link), ("sw.js", &worker)] {
        assert_eq!(reply.status, StatusCode::OK, "{what}");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{what}");
    }
    // Only the app's own scripts run (the e2e tests run the real app under this policy).
    for (what, reply) in [("/", &root), ("deep link", &deep_link), ("asset", &asset)] {
        let csp = reply.headers.get("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP")).to_str().unwrap();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{what}: {csp}");
        assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff", "{what}");
    }
    assert!(root.text.contains("<title>Dialbook</title>"));
    assert_eq!(deep_link.text, root.text);
    assert!(worker.text.contains("addEventListener"));
    assert_eq!(asset.status, StatusCode::OK);
    assert!(asset.headers.get("cache-control").is_none());
    assert_eq!(missing_asset.assert_error(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(unknown_api.assert_error(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(post_to_page.assert_error(StatusCode::METHOD_NOT_ALLOWED), "method_not_allowed");
    server.stop().await;
}
