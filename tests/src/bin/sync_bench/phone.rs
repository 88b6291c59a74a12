//! One telecaller's phones against the server (figures 1–4): seeding leads from a phone
//! (the bulk push), a new phone's first pull, an idle reconnect, and a day's calls pushed
//! in one go. Each step prints its figures and checks the phone's data, not the server's.

use crate::figures::{self, Figures};
use crate::workload;
use anyhow::Context;
use dialbook_core::{DocId, LeadId, Role};
use dialbook_tests::client::{Device, SentPush, device};
use dialbook_tests::{Session, TestServer};
use std::time::{Duration, Instant};

/// A telecaller who can log in on as many phones as a step needs.
pub struct Telecaller {
    pub username: String,
    pub password: String,
}

impl Telecaller {
    /// A new telecaller account, created by `admin`.
    pub async fn create(server: &TestServer, admin: &Session, username: &str) -> Self {
        let (_, password) = server.create_user(&admin.token, username, Role::Telecaller).await;
        Self { username: username.to_owned(), password }
    }

    pub async fn phone(&self, server: &TestServer, name: &str) -> Device {
        let session = server.login(&self.username, &self.password, name).await;
        device(server, &session, name)
    }
}

/// Figure 1: a phone creates and works `n` leads offline, then pushes them all.
pub async fn seed(server: &TestServer, who: &Telecaller, n: u32, fig: &mut Figures) -> anyhow::Result<()> {
    let mut phone = who.phone(server, "seeding phone").await;
    phone.sync().await?;
    let edits = Instant::now();
    for i in 0..n {
        workload::create_worked_lead(&mut phone.replica, i)?;
    }
    let edits = edits.elapsed();

    let started = Instant::now();
    let pushes = phone.push_pending().await?;
    let took = started.elapsed();
    let changes: usize = pushes.iter().flat_map(|p| &p.request.docs).map(|d| d.changes.len()).sum();
    let up: u64 = pushes.iter().map(|p| p.bytes).sum();
    fig.add("Seed: local edits (client only)", format!("{} for {} leads", figures::secs(edits), figures::count(n.into())));
    fig.add("Seed: changes pushed", format!("{} in {} requests, {} up", figures::count(changes as u64), pushes.len(), figures::bytes(up)));
    fig.add("Seed: push time", figures::secs(took));
    fig.add("Seed: throughput", format!("{} changes/s ({} leads/s)", figures::per_sec(changes as u64, took), figures::per_sec(n.into(), took)));
    expect_all_accepted(&phone, fig);

    // The seeding phone's next pull brings back, as snapshots, everything it just pushed.
    let before = phone.transfer;
    let started = Instant::now();
    phone.sync().await?;
    let echo = phone.transfer.since(before);
    fig.add(
        "Seed: seeding phone's next pull (own leads echoed)",
        format!("{}, {} round trips, {} down", figures::secs(started.elapsed()), echo.requests, figures::bytes(echo.bytes_down)),
    );
    Ok(())
}

/// Figure 2: a new phone for the same telecaller pulls everything. Answers the phone.
pub async fn fresh_pull(server: &TestServer, who: &Telecaller, n: u32, fig: &mut Figures) -> anyhow::Result<Device> {
    let mut phone = who.phone(server, "new phone").await;
    let started = Instant::now();
    phone.sync().await?;
    let took = started.elapsed();
    fig.check("Fresh phone pull: wall time", figures::secs(took), "< 2 s", took < Duration::from_secs(2));
    fig.add("Fresh phone pull: round trips", phone.transfer.requests.to_string());
    fig.add("Fresh phone pull: bytes down", figures::bytes(phone.transfer.bytes_down));

    let leads = phone.replica.leads();
    let complete = leads.iter().filter(|l| l.calls().count() == 3).count();
    if leads.len() != n as usize || complete != leads.len() {
        fig.fail(format!("the new phone holds {} leads ({complete} with their 3 calls); expected {n}", leads.len()));
    }
    Ok(phone)
}

/// Figure 3: the phone syncs again with nothing new on either side.
pub async fn idle_reconnect(phone: &mut Device, fig: &mut Figures) -> anyhow::Result<()> {
    let before = phone.transfer;
    phone.sync().await?;
    let idle = phone.transfer.since(before);
    let total = idle.bytes_up + idle.bytes_down;
    fig.check("Idle reconnect: round trips", idle.requests.to_string(), "1", idle.requests == 1);
    fig.check("Idle reconnect: bytes up + down", figures::bytes(total), "< 2 kB", total < 2_000);
    Ok(())
}

/// Figure 4: the phone logs one quick call on each of `calls` leads, then pushes.
/// Answers the push, for the wire-size comparison.
pub async fn days_work(phone: &mut Device, calls: usize, fig: &mut Figures) -> anyhow::Result<SentPush> {
    let leads: Vec<LeadId> = phone
        .replica
        .docs
        .keys()
        .filter_map(|d| match d {
            DocId::Lead(id) => Some(id.clone()),
            DocId::Team => None,
        })
        .take(calls)
        .collect();
    for id in &leads {
        workload::log_quick_call(&mut phone.replica, id)?;
    }
    let pushes = phone.push_pending().await?;
    expect_all_accepted(phone, fig);
    let label = format!("Day's work ({} calls): ", leads.len());
    fig.check(format!("{label}push requests"), pushes.len().to_string(), "1", pushes.len() == 1);
    let push = pushes.into_iter().next().context("the day's calls sent no push")?;
    fig.check(format!("{label}push request size"), figures::bytes(push.bytes), "< 100 kB", push.bytes < 100_000);
    fig.check(format!("{label}push latency"), figures::ms(push.latency), "< 200 ms", push.latency < Duration::from_millis(200));

    let before = phone.transfer;
    phone.sync().await?;
    let echo = phone.transfer.since(before);
    fig.add(format!("{label}next pull (own calls echoed)"), format!("{} round trips, {} down", echo.requests, figures::bytes(echo.bytes_down)));
    Ok(push)
}

fn expect_all_accepted(phone: &Device, fig: &mut Figures) {
    let r = &phone.replica;
    if !r.refusals.is_empty() || !r.fallbacks.is_empty() {
        fig.fail(format!("{}: {} docs refused, {} sent to fallback sync; first refusal: {:?}", r.device, r.refusals.len(), r.fallbacks.len(), r.refusals.first()));
    }
}
