//! Where one push's time goes, for reading the push-rate figures: the round trip of an
//! empty push (HTTP, session lookup, an empty write transaction), of a one-call push, and
//! the Automerge work the server does per pushed doc, timed here in-process on the same
//! lead (load the stored snapshot, check and apply the change, save a new snapshot).
//! What is left of the one-call round trip is mostly SQL.

use crate::figures::{self, Figures, percentile};
use crate::workload;
use anyhow::{Context, bail};
use automerge::Automerge;
use dialbook_core::lead::{LeadDoc, read_lead};
use dialbook_core::protocol::authorize::{Applied, Caller, apply_push};
use dialbook_core::protocol::untrusted::{Budget, parse_changes};
use dialbook_core::protocol::wire::{self, CONTENT_TYPE, PushRequest};
use dialbook_core::{DocId, LeadId, Role};
use dialbook_tests::client::{Device, now};
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROUNDS: usize = 200;

/// Calls added to a copy of a seeded lead to show how a push's cost grows with history.
const LONG_HISTORY: usize = 100;

pub async fn breakdown(phone: &mut Device, fig: &mut Figures) -> anyhow::Result<()> {
    // A different lead for each one-call push, so no lead grows far past its seeded size.
    let leads: Vec<LeadId> = phone.replica.leads().into_iter().map(|l| l.id).take(ROUNDS).collect();
    let first = DocId::Lead(leads.first().context("the phone holds no lead")?.clone());
    for history in [0, LONG_HISTORY] {
        let cpu = automerge_work(phone, &first, history)?;
        fig.add(
            format!("Push cost: Automerge work per pushed doc ({} activities)", cpu.activities),
            format!(
                "{} = load {} + check/apply {} (reads the lead twice, {} each) + save {}; {} snapshot",
                figures::ms(cpu.load + cpu.apply + cpu.save),
                figures::ms(cpu.load),
                figures::ms(cpu.apply),
                figures::ms(cpu.read),
                figures::ms(cpu.save),
                figures::bytes(cpu.snapshot_bytes)
            ),
        );
    }

    let empty = wire::encode(&PushRequest { docs: Vec::new() });
    let mut empty_trips = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let (status, _) = phone.post_raw("/api/sync/push", CONTENT_TYPE, empty.clone()).await?;
        empty_trips.push(started.elapsed());
        anyhow::ensure!(status == 200, "an empty push answered {status}");
    }
    let mut call_trips = Vec::with_capacity(ROUNDS);
    for id in leads.iter().cycle().take(ROUNDS) {
        workload::log_quick_call(&mut phone.replica, id)?;
        call_trips.extend(phone.push_pending().await?.iter().map(|p| p.latency));
    }
    fig.add("Push cost: empty push round trip (p50)", figures::ms(median(empty_trips)));
    fig.add("Push cost: one-call push round trip (p50)", figures::ms(median(call_trips)));
    Ok(())
}

struct AutomergeWork {
    activities: usize,
    load: Duration,
    apply: Duration,
    read: Duration,
    save: Duration,
    snapshot_bytes: u64,
}

/// What `sync::push` does per doc outside SQL, for one quick call on a copy of `lead`
/// with `history` more calls than the phone holds.
fn automerge_work(phone: &Device, lead: &DocId, history: usize) -> anyhow::Result<AutomergeWork> {
    let replica = &phone.replica;
    let ctx = replica.ctx(now());
    let mut copy = LeadDoc::from_autocommit(replica.docs.get(lead).context("the lead is on the phone")?.doc.clone());
    for _ in 0..history {
        copy.log_call(&ctx, &workload::quick_call())?;
    }
    let snapshot = copy.save();
    let heads = copy.heads();
    copy.log_call(&ctx, &workload::quick_call())?;
    let raw: Vec<Vec<u8>> = copy.inner().get_changes(&heads).iter().map(|c| c.raw_bytes().to_vec()).collect();

    let caller = Caller { user: replica.user, role: Role::Telecaller };
    let stored = Automerge::load(&snapshot)?;
    let check_and_apply = || apply_push(caller, lead, Some(&stored), parse_changes(&raw, &mut Budget::per_request()).expect("changes made just above parse"));
    let Applied::Changed { doc: applied, .. } = check_and_apply()? else { bail!("the server side would not apply the call") };
    Ok(AutomergeWork {
        activities: read_lead(&stored)?.activities.len(),
        load: mean_time(|| Automerge::load(&snapshot).expect("a saved doc loads")),
        apply: mean_time(check_and_apply),
        read: mean_time(|| read_lead(&stored)),
        save: mean_time(|| applied.save()),
        snapshot_bytes: snapshot.len() as u64,
    })
}

fn mean_time<T>(mut f: impl FnMut() -> T) -> Duration {
    let started = Instant::now();
    for _ in 0..ROUNDS {
        black_box(f());
    }
    started.elapsed() / ROUNDS as u32
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    percentile(&times, 0.5)
}
