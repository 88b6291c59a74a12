//! A little world for simulations: one admin device, telecaller devices, a simulated
//! server and a clock, with helpers to run a device's next sync step and to sync
//! everyone until quiet.

use super::server::SimServer;
use automerge::ActorId;
use dialbook_core::lead::NewLead;
use dialbook_core::protocol::authorize::Caller;
use dialbook_core::protocol::client::{Action, Event};
use dialbook_core::protocol::replica::MemoryReplica;
use dialbook_core::{LeadId, PhoneNumber, Role, Timestamp, UserId};

pub const ADMIN: UserId = UserId(1);
pub const CALLER: UserId = UserId(2);
pub const OTHER_CALLER: UserId = UserId(3);

pub struct Device {
    pub replica: MemoryReplica,
    pub caller: Caller,
}

pub struct World {
    pub server: SimServer,
    pub devices: Vec<Device>,
    pub now: Timestamp,
}

impl World {
    pub fn new() -> Self {
        Self { server: SimServer::default(), devices: Vec::new(), now: Timestamp(1_790_000_000_000) }
    }

    pub fn add_device(&mut self, user: UserId, role: Role, name: &str) -> usize {
        let n = self.devices.len() as u8;
        let replica = MemoryReplica::new(user, name, ActorId::from([n + 1; 16]));
        self.devices.push(Device { replica, caller: Caller { user, role } });
        let now = self.now;
        self.devices[n as usize].replica.handle(now, Event::Started).unwrap();
        n as usize
    }

    pub fn tick(&mut self, ms: i64) {
        self.now = self.now.plus_millis(ms);
    }

    pub fn new_lead(n: u8, assignee: Option<UserId>) -> NewLead {
        NewLead {
            id: LeadId::from_random([n; 16]),
            name: format!("Lead {n}"),
            mobile: PhoneNumber::from_e164(&format!("+9198765{n:05}")).unwrap(),
            alt_mobile: None,
            source: "walk-in".into(),
            assignee,
            follow_up: None,
            tags: Default::default(),
            custom: [("car_model".to_string(), "Swift".to_string())].into(),
            notes: String::new(),
        }
    }

    /// Run one sync step of device `d`. With `lose_response`, the server does the work but
    /// the answer never reaches the device (a dropped connection).
    pub fn step(&mut self, d: usize, lose_response: bool) -> bool {
        let now = self.now;
        let dev = &mut self.devices[d];
        match dev.replica.next_action(now) {
            Action::Idle { .. } => false,
            Action::Push(docs) => {
                let req = dev.replica.build_push(&docs);
                let resp = self.server.push(dev.caller, req);
                let event = if lose_response { Event::Failed { retryable: true } } else { Event::Pushed(resp) };
                dev.replica.handle(now, event).unwrap();
                true
            }
            Action::Pull(req) => {
                let resp = self.server.pull(dev.caller, req);
                let event = if lose_response { Event::Failed { retryable: true } } else { Event::Pulled(resp) };
                dev.replica.handle(now, event).unwrap();
                true
            }
        }
    }

    /// Everyone online, everyone told to pull, steps run until nobody has anything to do.
    pub fn settle(&mut self) {
        for round in 0..6 {
            let now = self.now;
            for dev in &mut self.devices {
                dev.replica.handle(now, Event::Online).unwrap();
                dev.replica.handle(now, Event::Poke).unwrap();
            }
            let mut steps = 0;
            loop {
                let mut any = false;
                for d in 0..self.devices.len() {
                    any |= self.step(d, false);
                }
                steps += 1;
                assert!(steps < 100, "sync did not go quiet (round {round})");
                if !any {
                    break;
                }
            }
            self.tick(61_000);
        }
    }
}
