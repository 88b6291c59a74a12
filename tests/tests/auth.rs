//! Accounts, device sessions and the admin user API, over real HTTP on a fresh database,
//! on SQLite and on Postgres. Also: every error a client can meet is `{error, message}`
//! JSON, and `/health` answers.

use dialbook_core::Role;
use dialbook_tests::{ADMIN_PASSWORD, ADMIN_USERNAME, StatusCode, TestBackend, TestServer, on_both_backends};
use serde_json::json;

on_both_backends!(
    first_admin_can_log_in,
    wrong_password_is_refused_with_json,
    logins_are_rate_limited_per_username,
    logins_are_rate_limited_per_address_behind_a_trusted_proxy,
    a_whole_team_logging_in_at_once_gets_in,
    a_telecaller_logs_in_on_two_devices,
    revoking_one_device_leaves_the_other_logged_in,
    a_user_signs_out_their_own_devices,
    disabling_a_user_ends_their_sessions,
    a_new_password_signs_out_other_devices,
    telecallers_get_403_on_every_admin_route,
    strangers_get_401_json,
    bad_requests_get_json_errors,
    user_input_is_checked,
    the_last_admin_cannot_be_removed,
    health_reports_the_database,
    a_telecaller_sees_the_team_names_and_nothing_more,
);

async fn first_admin_can_log_in(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;

    // Act
    let login = server.try_login(ADMIN_USERNAME, ADMIN_PASSWORD, "admin laptop").await;
    let token = login.ok()["token"].as_str().expect("a token").to_owned();
    let me = server.api().with_token(&token).get("/api/me").await;

    // Assert
    assert_eq!(login.json["user"]["username"], "admin");
    assert_eq!(login.json["user"]["role"], "admin");
    assert!(login.json["session_id"].is_i64());
    assert_eq!(me.ok()["user"]["username"], "admin");
    assert_eq!(me.json["device_name"], "admin laptop");
    assert_eq!(me.json["session_id"], login.json["session_id"]);
    server.stop().await;
}

async fn wrong_password_is_refused_with_json(backend: TestBackend) {
    let server = TestServer::start(backend).await;

    let wrong = server.try_login(ADMIN_USERNAME, "not-the-password", "phone").await;
    let unknown = server.try_login("nobody", "whatever-password", "phone").await;

    assert_eq!(wrong.assert_error(StatusCode::UNAUTHORIZED), "unauthorized");
    assert_eq!(unknown.assert_error(StatusCode::UNAUTHORIZED), "unauthorized");
    // The same words either way: the answer does not reveal which usernames exist.
    assert_eq!(wrong.message(), unknown.message());
    server.stop().await;
}

async fn logins_are_rate_limited_per_username(backend: TestBackend) {
    // Arrange: a second user, and five wrong passwords for the admin.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (_, priya_password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    for attempt in 1..=5 {
        let reply = server.try_login(ADMIN_USERNAME, "wrong-password", "phone").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {}", reply.text);
    }

    // Act: the sixth attempt, even with the right password; and another username.
    let blocked = server.try_login(ADMIN_USERNAME, ADMIN_PASSWORD, "phone").await;
    let other = server.try_login("priya", &priya_password, "phone").await;

    // Assert
    assert_eq!(blocked.assert_error(StatusCode::TOO_MANY_REQUESTS), "too_many_requests");
    let retry_after: u64 = blocked.headers["retry-after"].to_str().unwrap().parse().expect("seconds");
    assert!((1..=15 * 60).contains(&retry_after), "Retry-After {retry_after}");
    assert!(blocked.message().unwrap().contains("Try again in"), "{}", blocked.text);
    other.ok();
    // Sessions already open are unaffected.
    server.api_as(&admin).get("/api/me").await.ok();
    server.stop().await;
}

async fn logins_are_rate_limited_per_address_behind_a_trusted_proxy(backend: TestBackend) {
    // Arrange: 30 failed logins, each for a different username, from one address.
    let server = TestServer::start_with(backend, |c| c.trust_proxy = true).await;
    let login_from = |ip: &'static str, username: String, password: &'static str| {
        let body = json!({ "username": username, "password": password, "device_name": "phone" });
        server.api().request(reqwest::Method::POST, "/api/login").header("x-forwarded-for", ip).json(&body)
    };
    for n in 0..30 {
        let reply = server.api().send(login_from("203.0.113.9", format!("guess{n}"), "password1")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {n}: {}", reply.text);
    }

    // Act
    let same_address = server.api().send(login_from("203.0.113.9", "admin".into(), ADMIN_PASSWORD)).await;
    let other_address = server.api().send(login_from("198.51.100.4", "admin".into(), ADMIN_PASSWORD)).await;

    // Assert
    same_address.assert_error(StatusCode::TOO_MANY_REQUESTS);
    assert!(same_address.message().unwrap().contains("from this network"), "{}", same_address.text);
    other_address.ok();
    server.stop().await;
}

async fn a_whole_team_logging_in_at_once_gets_in(backend: TestBackend) {
    // Arrange: twelve telecallers (the morning rush: every write queues for SQLite's
    // single writer, none may fail with "database is locked").
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let mut team = Vec::new();
    for n in 0..12 {
        let username = format!("caller{n}");
        let (_, password) = server.create_user(&admin.token, &username, Role::Telecaller).await;
        team.push((username, password));
    }

    // Act: everyone logs in on two devices at the same moment, one mistypes, and the
    // admin renames everyone meanwhile (transactions that read before they write).
    let logins = team.iter().flat_map(|(user, password)| {
        ["phone", "browser"].map(|device| server.try_login(user, password, device))
    });
    let typo = server.try_login("caller0", "wrong-password", "phone");
    let admin_api = server.api_as(&admin);
    let renames = team.iter().enumerate().map(|(n, _)| {
        let path = format!("/api/admin/users/{}", admin.user_id.0 + 1 + n as i64);
        let admin_api = admin_api.clone();
        async move { admin_api.patch(&path, &json!({ "display_name": format!("Caller {n}") })).await }
    });
    let (replies, typo, renamed) =
        tokio::join!(futures_util::future::join_all(logins), typo, futures_util::future::join_all(renames));

    // Assert
    for reply in replies.iter().chain(&renamed) {
        reply.ok();
    }
    typo.assert_error(StatusCode::UNAUTHORIZED);
    let users = server.api_as(&admin).get("/api/admin/users").await;
    let devices: i64 = users.ok()["users"].as_array().unwrap().iter().map(|u| u["devices"].as_i64().unwrap()).sum();
    assert_eq!(devices, 12 * 2 + 1, "every login made a session (plus the admin's)");
    server.stop().await;
}

async fn a_telecaller_logs_in_on_two_devices(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (priya_id, password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;

    let phone = server.login("priya", &password, "Priya's Redmi").await;
    let laptop = server.login("Priya", &password, "Office PC").await;
    let own = server.api_as(&phone).get("/api/sessions").await;
    let listed = server.api_as(&admin).get("/api/admin/users").await;

    assert_eq!(phone.user_id, priya_id);
    assert_eq!(laptop.user_id, priya_id, "usernames are case-insensitive");
    assert_eq!(phone.role, Role::Telecaller);
    assert_ne!(phone.token, laptop.token);
    let sessions = own.ok()["sessions"].as_array().expect("a list").clone();
    assert_eq!(sessions.len(), 2);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device_name"], "Priya's Redmi");
    let users = listed.ok()["users"].as_array().expect("a list").clone();
    let priya = users.iter().find(|u| u["username"] == "priya").expect("priya is listed");
    assert_eq!(priya["role"], "telecaller");
    assert_eq!(priya["disabled"], false);
    assert_eq!(priya["devices"], 2);
    assert!(priya["last_seen_at"].is_i64());
    assert!(priya["created_at"].is_i64());
    server.stop().await;
}

async fn revoking_one_device_leaves_the_other_logged_in(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (priya_id, password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let lost_phone = server.login("priya", &password, "lost phone").await;
    let new_phone = server.login("priya", &password, "new phone").await;
    let before = server.api_as(&admin).get(&format!("/api/admin/users/{priya_id}/sessions")).await;

    // Act
    let revoked = server.api_as(&admin).delete(&format!("/api/admin/sessions/{}", lost_phone.session_id)).await;

    // Assert
    assert_eq!(before.ok()["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    server.api_as(&lost_phone).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    server.api_as(&new_phone).get("/api/me").await.ok();
    let after = server.api_as(&admin).get(&format!("/api/admin/users/{priya_id}/sessions")).await;
    let left = after.ok()["sessions"].as_array().unwrap().clone();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], new_phone.session_id);
    let missing = server.api_as(&admin).delete("/api/admin/sessions/999999").await;
    missing.assert_error(StatusCode::NOT_FOUND);
    server.stop().await;
}

async fn a_user_signs_out_their_own_devices(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (_, password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let (_, ravi_password) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let phone = server.login("priya", &password, "phone").await;
    let browser = server.login("priya", &password, "browser").await;
    let ravi = server.login("ravi", &ravi_password, "ravi phone").await;

    let other_device = server.api_as(&phone).delete(&format!("/api/sessions/{}", browser.session_id)).await;
    let someone_elses = server.api_as(&phone).delete(&format!("/api/sessions/{}", ravi.session_id)).await;
    let logout = server.api_as(&phone).post("/api/logout", &json!({})).await;

    assert_eq!(other_device.status, StatusCode::NO_CONTENT);
    server.api_as(&browser).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    someone_elses.assert_error(StatusCode::NOT_FOUND);
    server.api_as(&ravi).get("/api/me").await.ok();
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    server.api_as(&phone).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    server.stop().await;
}

async fn disabling_a_user_ends_their_sessions(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (priya_id, password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let phone = server.login("priya", &password, "phone").await;
    let tablet = server.login("priya", &password, "tablet").await;

    // Act
    let disabled = server.api_as(&admin).patch(&format!("/api/admin/users/{priya_id}"), &json!({ "disabled": true })).await;

    // Assert
    assert_eq!(disabled.ok()["disabled"], true);
    assert_eq!(disabled.json["devices"], 0);
    for device in [&phone, &tablet] {
        let reply = server.api_as(device).get("/api/me").await;
        reply.assert_error(StatusCode::UNAUTHORIZED);
    }
    // The right password and a wrong one get the same answer: a disabled account does
    // not confirm a guessed password.
    let right = server.try_login("priya", &password, "phone").await;
    let wrong = server.try_login("priya", "not-her-password", "phone").await;
    right.assert_error(StatusCode::UNAUTHORIZED);
    assert_eq!((right.status, &right.text), (wrong.status, &wrong.text));

    // Enabling again lets her log in (old tokens stay dead).
    let enabled = server.api_as(&admin).patch(&format!("/api/admin/users/{priya_id}"), &json!({ "disabled": false })).await;
    assert_eq!(enabled.ok()["disabled"], false);
    server.login("priya", &password, "phone").await;
    server.api_as(&phone).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    server.stop().await;
}

async fn a_new_password_signs_out_other_devices(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let admin_phone = server.login_admin().await;
    let (priya_id, old_password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let priya = server.login("priya", &old_password, "phone").await;

    let reset = server
        .api_as(&admin)
        .patch(&format!("/api/admin/users/{priya_id}"), &json!({ "password": "brand-new-secret" }))
        .await;
    let own = server
        .api_as(&admin)
        .patch(&format!("/api/admin/users/{}", admin.user_id), &json!({ "password": "admin-new-secret", "display_name": "Boss" }))
        .await;

    reset.ok();
    server.api_as(&priya).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    server.try_login("priya", &old_password, "phone").await.assert_error(StatusCode::UNAUTHORIZED);
    server.login("priya", "brand-new-secret", "phone").await;
    assert_eq!(own.ok()["display_name"], "Boss");
    server.api_as(&admin).get("/api/me").await.ok();
    server.api_as(&admin_phone).get("/api/me").await.assert_error(StatusCode::UNAUTHORIZED);
    server.stop().await;
}

async fn telecallers_get_403_on_every_admin_route(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (_, password) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let priya = server.login("priya", &password, "phone").await;
    let api = server.api_as(&priya);

    let replies = [
        ("GET /api/admin/users", api.get("/api/admin/users").await),
        (
            "POST /api/admin/users",
            api.post("/api/admin/users", &json!({ "username": "mole", "password": "12345678", "role": "admin" })).await,
        ),
        (
            "PATCH /api/admin/users/{self}",
            api.patch(&format!("/api/admin/users/{}", priya.user_id), &json!({ "role": "admin" })).await,
        ),
        ("GET /api/admin/users/{id}/sessions", api.get(&format!("/api/admin/users/{}/sessions", admin.user_id)).await),
        ("DELETE /api/admin/sessions/{id}", api.delete(&format!("/api/admin/sessions/{}", admin.session_id)).await),
        ("GET /api/admin/leads", api.get("/api/admin/leads").await),
        ("GET /api/admin/leads/{id}", api.get("/api/admin/leads/abc").await),
        ("DELETE /api/admin/leads/{id}", api.delete("/api/admin/leads/abc").await),
        (
            "POST /api/admin/leads/import",
            api.post("/api/admin/leads/import", &json!({ "format": "text", "data": "Ravi 9876543210" })).await,
        ),
        ("POST /api/admin/leads/assign", api.post("/api/admin/leads/assign", &json!({ "lead_ids": ["abc"], "to": "unassigned" })).await),
        ("GET /api/admin/leads/export.csv", api.get("/api/admin/leads/export.csv").await),
        ("GET /api/admin/stats", api.get("/api/admin/stats").await),
    ];

    for (route, reply) in &replies {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{route}: {}", reply.text);
        assert_eq!(reply.assert_error(StatusCode::FORBIDDEN), "forbidden", "{route}");
    }
    // Nothing happened: she is still a telecaller and the admin is still logged in.
    assert_eq!(server.api_as(&priya).get("/api/me").await.ok()["user"]["role"], "telecaller");
    server.api_as(&admin).get("/api/me").await.ok();
    server.stop().await;
}

async fn strangers_get_401_json(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let anonymous = server.api();
    let forged = server.api().with_token("bm90LWEtcmVhbC10b2tlbg");

    for path in ["/api/me", "/api/team/members", "/api/sessions", "/api/admin/users", "/api/admin/users/1/sessions", "/api/admin/leads", "/api/admin/stats", "/api/sync/events"] {
        let reply = anonymous.get(path).await;
        assert_eq!(reply.assert_error(StatusCode::UNAUTHORIZED), "unauthorized", "{path}");
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
        forged.get(path).await.assert_error(StatusCode::UNAUTHORIZED);
    }
    anonymous.post("/api/logout", &json!({})).await.assert_error(StatusCode::UNAUTHORIZED);
    anonymous.delete("/api/admin/sessions/1").await.assert_error(StatusCode::UNAUTHORIZED);
    server.stop().await;
}

async fn bad_requests_get_json_errors(backend: TestBackend) {
    // Arrange: a small body limit, so "too large" needs only a small body.
    let server = TestServer::start_with(backend, |c| c.max_body_bytes = 64 * 1024).await;
    let admin = server.login_admin().await;
    let api = server.api_as(&admin);
    let login_with = |content_type: &'static str, body: Vec<u8>| {
        server.api().request(reqwest::Method::POST, "/api/login").header("content-type", content_type).body(body)
    };

    // Act
    let malformed = server.api().send(login_with("application/json", b"{\"username\": ".to_vec())).await;
    let wrong_type = server.api().send(login_with("text/plain", b"username=admin".to_vec())).await;
    let missing_field = server.api().send(login_with("application/json", br#"{"username":"admin"}"#.to_vec())).await;
    let oversized = server.api().send(login_with("application/json", vec![b' '; 80 * 1024])).await;
    let unknown_api = api.get("/api/no-such-thing").await;
    let unknown_page = server.api().get("/no-such-page").await;
    let wrong_method = api.delete("/api/me").await;
    let bad_id = api.get("/api/admin/users/not-a-number/sessions").await;

    // Assert
    assert_eq!(malformed.assert_error(StatusCode::BAD_REQUEST), "invalid_json");
    assert_eq!(wrong_type.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE), "unsupported_media_type");
    assert_eq!(missing_field.assert_error(StatusCode::UNPROCESSABLE_ENTITY), "invalid_body");
    assert!(missing_field.message().unwrap().contains("password"), "{}", missing_field.text);
    assert_eq!(oversized.assert_error(StatusCode::PAYLOAD_TOO_LARGE), "payload_too_large");
    assert!(oversized.message().unwrap().contains("64 KiB"), "{}", oversized.text);
    assert_eq!(unknown_api.assert_error(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(unknown_page.assert_error(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(wrong_method.assert_error(StatusCode::METHOD_NOT_ALLOWED), "method_not_allowed");
    assert!(wrong_method.headers.contains_key("allow"));
    assert_eq!(bad_id.assert_error(StatusCode::BAD_REQUEST), "bad_request");
    server.stop().await;
}

async fn user_input_is_checked(backend: TestBackend) {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let api = server.api_as(&admin);
    let create = |username: &str, password: &str, role: &str| {
        json!({ "username": username, "display_name": "Someone", "password": password, "role": role })
    };
    server.create_user(&admin.token, "priya", Role::Telecaller).await;

    let duplicate = api.post("/api/admin/users", &create("PRIYA", "long-enough", "telecaller")).await;
    let short_name = api.post("/api/admin/users", &create("pk", "long-enough", "telecaller")).await;
    let spaced_name = api.post("/api/admin/users", &create("priya k", "long-enough", "telecaller")).await;
    let weak = api.post("/api/admin/users", &create("ravi", "1234567", "telecaller")).await;
    let bad_role = api.post("/api/admin/users", &create("ravi", "long-enough", "manager")).await;
    let no_device = server.try_login("admin", ADMIN_PASSWORD, "   ").await;
    let unknown_user = api.patch("/api/admin/users/999999", &json!({ "display_name": "x" })).await;
    let good = api.post("/api/admin/users", &create("Ravi.K", "long-enough", "admin")).await;

    assert_eq!(duplicate.assert_error(StatusCode::CONFLICT), "username_taken");
    assert_eq!(short_name.assert_error(StatusCode::BAD_REQUEST), "invalid_username");
    assert_eq!(spaced_name.assert_error(StatusCode::BAD_REQUEST), "invalid_username");
    assert_eq!(weak.assert_error(StatusCode::BAD_REQUEST), "weak_password");
    assert_eq!(bad_role.assert_error(StatusCode::BAD_REQUEST), "invalid_role");
    assert_eq!(no_device.assert_error(StatusCode::BAD_REQUEST), "missing_device_name");
    unknown_user.assert_error(StatusCode::NOT_FOUND);
    assert_eq!(good.status, StatusCode::CREATED, "{}", good.text);
    assert_eq!(good.json["username"], "ravi.k");
    assert_eq!(good.json["role"], "admin");
    server.stop().await;
}

async fn the_last_admin_cannot_be_removed(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let me = format!("/api/admin/users/{}", admin.user_id);

    // Act
    let demote_self = server.api_as(&admin).patch(&me, &json!({ "role": "telecaller" })).await;
    let disable_self = server.api_as(&admin).patch(&me, &json!({ "disabled": true })).await;
    let (_, password) = server.create_user(&admin.token, "second", Role::Admin).await;
    let second = server.login("second", &password, "laptop").await;
    let demote_with_a_second_admin = server.api_as(&admin).patch(&me, &json!({ "role": "telecaller" })).await;
    let second_me = format!("/api/admin/users/{}", second.user_id);
    let demote_the_last_one = server.api_as(&second).patch(&second_me, &json!({ "disabled": true })).await;

    // Assert
    assert_eq!(demote_self.assert_error(StatusCode::CONFLICT), "last_admin");
    assert_eq!(disable_self.assert_error(StatusCode::CONFLICT), "last_admin");
    assert_eq!(demote_with_a_second_admin.ok()["role"], "telecaller");
    assert_eq!(demote_the_last_one.assert_error(StatusCode::CONFLICT), "last_admin");
    // The demoted admin's session now counts as a telecaller's.
    server.api_as(&admin).get("/api/admin/users").await.assert_error(StatusCode::FORBIDDEN);
    server.stop().await;
}

async fn health_reports_the_database(backend: TestBackend) {
    let server = TestServer::start(backend).await;

    let health = server.api().get("/health").await;

    assert_eq!(health.ok(), &json!({ "status": "ok", "db": "ok" }));
    server.stop().await;
}

/// A load balancer must stop sending traffic to an instance that lost its database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_when_the_database_is_gone() {
    if !dialbook_tests::postgres_or_skip("auth::health_is_503_when_the_database_is_gone").await {
        return;
    }
    // Arrange: drop the server's database from under it.
    let server = TestServer::start(TestBackend::Postgres).await;
    let name = server.database().pg_name().expect("a Postgres database").to_owned();
    dialbook_tests::postgres::drop_database(&name).await.unwrap();

    // Act
    let health = server.api().get("/health").await;

    // Assert
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE, "{}", health.text);
    assert_eq!(health.json["db"], "unreachable");
    server.stop().await;
}

async fn a_telecaller_sees_the_team_names_and_nothing_more(backend: TestBackend) {
    // Arrange: the phone's timeline names whoever made a call, so it needs everyone's name.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (priya_id, priya_pw) = server.create_user(&admin.token, "priya", Role::Telecaller).await;
    let (ravi_id, _) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let priya = server.login("priya", &priya_pw, "phone").await;

    // Act
    let reply = server.api_as(&priya).get("/api/team/members").await;

    // Assert
    let members = reply.ok().as_array().expect("a list").clone();
    let names: Vec<(i64, &str)> = members.iter().map(|m| (m["id"].as_i64().unwrap(), m["display_name"].as_str().unwrap())).collect();
    assert!(names.contains(&(priya_id.0, "priya")) && names.contains(&(ravi_id.0, "ravi")), "{names:?}");
    assert!(members.iter().all(|m| m.as_object().unwrap().len() == 2), "only id and name are shown: {members:?}");
    server.stop().await;
}
