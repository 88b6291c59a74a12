//! An admin reassigns a lead: the old assignee's phone drops it on its next pull, the new
//! assignee's phone receives all of it, and edits the old assignee made offline in the
//! meantime are refused (and reverted on their phone) instead of sneaking in.

#[allow(dead_code)]
#[path = "sim/server.rs"]
mod server;
#[allow(dead_code)] // shared by several simulations; each uses part of it
#[path = "sim/world.rs"]
mod world;

use dialbook_core::lead::CallLog;
use dialbook_core::protocol::wire::RefusalCode;
use dialbook_core::{CallOutcome, DocId, Role};
use world::{ADMIN, CALLER, OTHER_CALLER, World};

fn call() -> CallLog {
    CallLog { outcome: CallOutcome::Interested, duration_secs: 60, note: String::new(), voice_note: None, follow_up: None }
}

#[test]
fn reassignment_moves_the_lead_between_phones() {
    let mut w = World::new();
    let admin = w.add_device(ADMIN, Role::Admin, "office");
    let old = w.add_device(CALLER, Role::Telecaller, "old phone");
    let new = w.add_device(OTHER_CALLER, Role::Telecaller, "new phone");
    let id = w.devices[admin].replica.create_lead(w.now, World::new_lead(1, Some(CALLER))).unwrap();
    w.settle();
    assert!(w.devices[old].replica.lead(&id).is_some());
    assert!(w.devices[new].replica.lead(&id).is_none());

    // The old assignee logs a call offline while the admin reassigns.
    w.devices[old].replica.handle(w.now, dialbook_core::protocol::client::Event::Offline).unwrap();
    let now = w.now;
    w.devices[old].replica.edit(now, &id, |l, ctx| l.log_call(ctx, &call())).unwrap();
    w.devices[admin].replica.edit(now, &id, |l, ctx| l.assign(ctx, Some(OTHER_CALLER))).unwrap();
    w.settle();

    let moved = w.devices[new].replica.lead(&id).expect("new assignee has the lead");
    assert_eq!(moved.assignee, Some(OTHER_CALLER));
    assert!(w.devices[old].replica.lead(&id).is_none(), "old phone still shows a reassigned lead");
    let refused = &w.devices[old].replica.refusals;
    assert!(
        refused.is_empty() || refused.iter().all(|(d, c, _)| *d == DocId::Lead(id.clone()) && *c == RefusalCode::NotYours),
        "{refused:?}"
    );
    assert_eq!(moved.calls().count(), 0, "a call from a phone that lost the lead got in");
}
