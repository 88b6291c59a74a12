//! Several devices edit the same leads, online and offline, and sync through a simulated
//! server in random orders, with dropped responses. When everyone has synced, every
//! device holds exactly the server's documents and no call or notes edit is lost.
//!
//! CI runs `SIM_CASES` cases (default 256); `SIM_CASES=10000 cargo test -p dialbook-core
//! --test offline_edits_merge --release` runs the long version.

#[allow(dead_code)]
#[path = "sim/server.rs"]
mod server;
#[allow(dead_code)] // shared by several simulations; each uses part of it
#[path = "sim/world.rs"]
mod world;

use dialbook_core::lead::{ActivityKind, CallLog};
use dialbook_core::protocol::client::Event;
use dialbook_core::{CallOutcome, DocId, LeadId, Role};
use proptest::prelude::*;
use world::{ADMIN, CALLER, World};

const LEADS: u8 = 3;

#[derive(Debug, Clone)]
enum Op {
    Call { dev: usize, lead: u8, outcome: usize, secs: u32 },
    Notes { dev: usize, lead: u8, text: usize },
    Tag { dev: usize, lead: u8, tag: usize, on: bool },
    Custom { dev: usize, lead: u8, value: usize },
    Offline(usize),
    Online(usize),
    Step { dev: usize, lose: bool },
    Tick(i64),
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    let d = 0..devices;
    prop_oneof![
        4 => (d.clone(), 0..LEADS, 0..7usize, 0..600u32).prop_map(|(dev, lead, outcome, secs)| Op::Call { dev, lead, outcome, secs }),
        1 => (d.clone(), 0..LEADS, 0..4usize).prop_map(|(dev, lead, text)| Op::Notes { dev, lead, text }),
        1 => (d.clone(), 0..LEADS, 0..3usize, any::<bool>()).prop_map(|(dev, lead, tag, on)| Op::Tag { dev, lead, tag, on }),
        1 => (d.clone(), 0..LEADS, 0..3usize).prop_map(|(dev, lead, value)| Op::Custom { dev, lead, value }),
        1 => d.clone().prop_map(Op::Offline),
        1 => d.clone().prop_map(Op::Online),
        5 => (d, prop::bool::weighted(0.15)).prop_map(|(dev, lose)| Op::Step { dev, lose }),
        2 => (0..120_000i64).prop_map(Op::Tick),
    ]
}

fn lead_id(n: u8) -> LeadId {
    World::new_lead(n, None).id
}

fn cases() -> u32 {
    std::env::var("SIM_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn all_devices_converge_and_keep_every_call((devices, ops) in (2usize..=4).prop_flat_map(|n| (Just(n), prop::collection::vec(op(n), 1..80)))) {
        let mut w = World::new();
        let admin = w.add_device(ADMIN, Role::Admin, "office PC");
        for n in 0..LEADS {
            w.devices[admin].replica.create_lead(w.now, World::new_lead(n, Some(CALLER))).unwrap();
        }
        let phones: Vec<usize> = (0..devices).map(|i| w.add_device(CALLER, Role::Telecaller, &format!("phone {i}"))).collect();
        w.settle();

        let mut calls = [0usize; LEADS as usize];
        let mut notes = [0usize; LEADS as usize];
        for op in ops {
            let now = w.now;
            match op {
                Op::Call { dev, lead, outcome, secs } => {
                    let call = CallLog { outcome: CallOutcome::ALL[outcome], duration_secs: secs, note: format!("call {secs}"), voice_note: None, follow_up: None };
                    w.devices[phones[dev]].replica.edit(now, &lead_id(lead), |l, ctx| l.log_call(ctx, &call)).unwrap();
                    calls[lead as usize] += 1;
                }
                Op::Notes { dev, lead, text } => {
                    let r = &mut w.devices[phones[dev]].replica;
                    let before = r.lead(&lead_id(lead)).unwrap().notes;
                    let new = format!("{before} note{text}");
                    r.edit(now, &lead_id(lead), |l, ctx| l.set_notes(ctx, &new)).unwrap();
                    notes[lead as usize] += 1;
                }
                Op::Tag { dev, lead, tag, on } => {
                    w.devices[phones[dev]].replica.edit(now, &lead_id(lead), |l, ctx| l.set_tag(ctx, ["hot", "fleet", "vip"][tag], on)).unwrap();
                }
                Op::Custom { dev, lead, value } => {
                    w.devices[phones[dev]].replica.edit(now, &lead_id(lead), |l, ctx| l.set_custom(ctx, "car_model", Some(["Swift", "i20", "Nexon"][value]))).unwrap();
                }
                Op::Offline(dev) => w.devices[phones[dev]].replica.handle(now, Event::Offline).unwrap(),
                Op::Online(dev) => w.devices[phones[dev]].replica.handle(now, Event::Online).unwrap(),
                Op::Step { dev, lose } => { w.step(phones[dev], lose); }
                Op::Tick(ms) => w.tick(ms),
            }
        }
        w.settle();

        for dev in &mut w.devices {
            prop_assert!(dev.replica.refusals.is_empty(), "refused: {:?}", dev.replica.refusals);
            prop_assert_eq!(dev.replica.docs.len(), LEADS as usize);
            for (id, rd) in &mut dev.replica.docs {
                let mut server_heads = w.server.docs[id].get_heads();
                server_heads.sort();
                let mut heads = rd.doc.get_heads();
                heads.sort();
                prop_assert_eq!(heads, server_heads, "device {} differs on {}", dev.replica.device, id);
                prop_assert!(!rd.has_unpushed());
            }
        }
        for n in 0..LEADS {
            let lead = w.devices[phones[0]].replica.lead(&lead_id(n)).unwrap();
            let logged = lead.activities.iter().filter(|a| matches!(a.kind, ActivityKind::Call(_))).count();
            let edited = lead.activities.iter().filter(|a| matches!(a.kind, ActivityKind::NotesEdited { .. })).count();
            prop_assert_eq!(logged, calls[n as usize], "calls lost on lead {}", n);
            prop_assert_eq!(edited, notes[n as usize], "notes edits lost on lead {}", n);
            prop_assert!(w.server.docs.contains_key(&DocId::Lead(lead_id(n))));
        }
    }
}
