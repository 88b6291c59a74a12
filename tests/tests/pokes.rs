//! Several server instances: a phone connected to the event stream hears about a push at
//! once — on Postgres even when the push went through another instance — and pushes to
//! one lead through two instances never overwrite each other.

use dialbook_core::Role;
use dialbook_server::config::Config;
use dialbook_tests::client::{device, new_lead, now};
use dialbook_tests::{TestBackend, TestServer, on_both_backends};
use std::time::Duration;

on_both_backends!(a_push_pokes_connected_phones, each_push_pokes_once);

/// Waits (up to 10 s) for the next `poke` event on an SSE response; returns its seq.
async fn next_poke(events: &mut reqwest::Response, buffer: &mut String) -> i64 {
    let wait = async {
        loop {
            if let Some(at) = buffer.find("event: poke\ndata: ") {
                let rest = &buffer[at + "event: poke\ndata: ".len()..];
                if let Some(end) = rest.find('\n') {
                    let seq = rest[..end].trim().parse().expect("a numeric poke");
                    buffer.replace_range(..at + "event: poke\ndata: ".len() + end, "");
                    return seq;
                }
            }
            let chunk = events.chunk().await.expect("the event stream").expect("the stream stays open");
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait).await.expect("a poke within 10 s")
}

async fn subscribe(base_url: &str, token: &str) -> (reqwest::Response, String) {
    let resp = reqwest::Client::new().get(format!("{base_url}/api/sync/events")).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    (resp, String::new())
}

async fn a_push_pokes_connected_phones(backend: TestBackend) {
    // Arrange
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (ravi, pw) = server.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let ravi_session = server.login("ravi", &pw, "phone").await;
    let (mut events, mut buf) = subscribe(&server.base_url, &ravi_session.token).await;

    // Act: the admin assigns a new lead to Ravi.
    let mut office = device(&server, &admin, "office");
    let id = office.replica.create_lead(now(), new_lead(1, "Asha", Some(ravi))).unwrap();
    office.sync().await.unwrap();
    let seq = next_poke(&mut events, &mut buf).await;

    // Assert: the poke says there is news, and a pull fetches it.
    assert!(seq > 0);
    let mut phone = device(&server, &ravi_session, "phone");
    phone.sync().await.unwrap();
    assert!(phone.replica.lead(&id).is_some());
    server.stop().await;
}

async fn each_push_pokes_once(backend: TestBackend) {
    // Arrange: a phone listening; the admin's office PC.
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let (mut events, mut buf) = subscribe(&server.base_url, &admin.token).await;
    let mut office = device(&server, &admin, "office");

    // Act: three pushes, one after the other, each awaited on the stream.
    let mut seen = Vec::new();
    for n in 0..3 {
        office.replica.create_lead(now(), new_lead(n, &format!("Lead {n}"), None)).unwrap();
        office.sync().await.unwrap();
        let newest: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM change_log").fetch_one(&server.state.db.pool).await.unwrap();
        loop {
            let seq = next_poke(&mut events, &mut buf).await;
            seen.push(seq);
            if seq >= newest {
                break;
            }
        }
    }

    // Assert: one poke per push, newest last (on Postgres a push also comes back
    // through NOTIFY; that copy is not sent again).
    assert_eq!(seen.len(), 3, "pokes {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "pokes {seen:?}");
    server.stop().await;
}

/// A second server instance on `a`'s database: its URL, and a handle that stops it.
async fn second_instance(a: &TestServer) -> (String, impl FnOnce() -> tokio::task::JoinHandle<()>) {
    let state_b = dialbook_server::build_state(Config::for_tests(a.db_url.clone())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b_url = format!("http://{}", listener.local_addr().unwrap());
    let (stop_b, stopped) = tokio::sync::oneshot::channel::<()>();
    let b = tokio::spawn(async move {
        dialbook_server::serve(state_b, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    let stop = move || {
        let _ = stop_b.send(());
        b
    };
    (b_url, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_through_two_instances_to_one_lead_all_survive() {
    if !dialbook_tests::postgres_or_skip("pushes_through_two_instances_to_one_lead_all_survive").await {
        return;
    }
    // Arrange: one lead, Ravi's phone on instance A and his tablet on instance B.
    let a = TestServer::start(TestBackend::Postgres).await;
    let (b_url, stop_b) = second_instance(&a).await;
    let admin = a.login_admin().await;
    let (ravi, pw) = a.create_user(&admin.token, "ravi", Role::Telecaller).await;
    let mut office = device(&a, &admin, "office");
    let id = office.replica.create_lead(now(), new_lead(3, "Geeta", Some(ravi))).unwrap();
    office.sync().await.unwrap();
    let phone_session = a.login("ravi", &pw, "phone").await;
    let tablet_session = a.login("ravi", &pw, "tablet").await;
    let mut phone = device(&a, &phone_session, "phone");
    let mut tablet = dialbook_tests::client::Device::new(&b_url, &tablet_session.token, ravi, "tablet");

    // Act: calls alternate between the instances, each instance's cache going stale.
    for round in 0..3 {
        for (d, who) in [(&mut phone, "phone"), (&mut tablet, "tablet")] {
            d.sync().await.unwrap();
            let note = format!("{who} {round}");
            d.replica
                .edit(now(), &id, |l, ctx| {
                    l.log_call(ctx, &dialbook_core::lead::CallLog { outcome: dialbook_core::CallOutcome::NoAnswer, duration_secs: 5, note, voice_note: None, follow_up: None })
                })
                .unwrap();
            d.sync().await.unwrap();
        }
    }
    phone.sync().await.unwrap();

    // Assert
    assert_eq!(phone.replica.lead(&id).unwrap().calls().count(), 6);
    let on_server = a.api_as(&admin).get(&format!("/api/admin/leads/{id}")).await;
    assert_eq!(on_server.ok()["activities"].as_array().unwrap().iter().filter(|x| x["kind"].get("Call").is_some()).count(), 6);
    stop_b().await.unwrap();
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pokes_cross_server_instances_on_postgres() {
    if !dialbook_tests::postgres_or_skip("pokes_cross_server_instances_on_postgres").await {
        return;
    }
    // Arrange: instance A (the test server) and instance B on the same database.
    let a = TestServer::start(TestBackend::Postgres).await;
    let (b_url, stop_b) = second_instance(&a).await;
    let admin = a.login_admin().await;
    let (events_b, mut buf) = subscribe(&b_url, &admin.token).await;
    let mut events_b = events_b;

    // Act: a push through instance A.
    let mut office = device(&a, &admin, "office");
    office.replica.create_lead(now(), new_lead(2, "Farhan", None)).unwrap();
    office.sync().await.unwrap();

    // Assert: the client on instance B is poked.
    let seq = next_poke(&mut events_b, &mut buf).await;
    assert!(seq > 0);
    drop(events_b);
    stop_b().await.unwrap();
    a.stop().await;
}
