//! Figure 6: our sync encoding (a version byte + postcard, raw bytes) against the JSON a
//! plain REST API would send for the same messages (byte fields as base64 strings).
//! The JSON here is built by hand to look like such an API, not derived from serde.

use crate::figures::{self, Figures};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dialbook_core::protocol::wire::{self, CONTENT_TYPE, PullItem, PullRequest, PullResponse, PushRequest};
use dialbook_tests::client::Device;
use serde_json::{Value, json};

/// Snapshots in the compared pull page.
const PAGE_ITEMS: usize = 200;

/// Compares the first `PAGE_ITEMS` snapshots of a fresh pull, fetched with `probe` (a
/// device whose state is left alone), and `push`.
pub async fn compare(probe: &mut Device, push: &PushRequest, fig: &mut Figures) -> anyhow::Result<()> {
    let mut page = first_pull_page(probe).await?;
    page.items.truncate(PAGE_ITEMS);
    let snapshots = page.items.iter().filter(|i| matches!(i, PullItem::Snapshot { .. })).count();
    report(fig, &format!("Wire: pull page ({snapshots} snapshots)"), wire::encode(&page).len(), json_len(&pull_json(&page)));
    let changes: usize = push.docs.iter().map(|d| d.changes.len()).sum();
    report(fig, &format!("Wire: push ({changes} changes)"), wire::encode(push).len(), json_len(&push_json(push)));
    Ok(())
}

async fn first_pull_page(probe: &mut Device) -> anyhow::Result<PullResponse> {
    let req = PullRequest { cursor: Vec::new(), max_bytes: 8 << 20 };
    let (status, body) = probe.post_raw("/api/sync/pull", CONTENT_TYPE, wire::encode(&req)).await?;
    anyhow::ensure!(status == 200, "pull answered {status}: {}", String::from_utf8_lossy(&body));
    Ok(wire::decode(&body)?)
}

fn report(fig: &mut Figures, what: &str, ours: usize, json: usize) {
    fig.add(
        what,
        format!("postcard {} vs JSON+base64 {} (JSON is {:.2}×)", figures::bytes(ours as u64), figures::bytes(json as u64), json as f64 / ours as f64),
    );
}

fn json_len(v: &Value) -> usize {
    serde_json::to_vec(v).expect("JSON values always serialise").len()
}

fn b64(bytes: &[u8]) -> Value {
    Value::String(STANDARD.encode(bytes))
}

fn push_json(req: &PushRequest) -> Value {
    let docs: Vec<Value> =
        req.docs.iter().map(|d| json!({ "doc": d.doc.as_str(), "changes": d.changes.iter().map(|c| b64(c)).collect::<Vec<_>>() })).collect();
    json!({ "docs": docs })
}

fn pull_json(resp: &PullResponse) -> Value {
    let items: Vec<Value> = resp
        .items
        .iter()
        .map(|item| match item {
            PullItem::Changes { doc, bytes } => json!({ "kind": "changes", "doc": doc.as_str(), "bytes": b64(bytes) }),
            PullItem::Snapshot { doc, bytes } => json!({ "kind": "snapshot", "doc": doc.as_str(), "bytes": b64(bytes) }),
            PullItem::Revoked { doc } => json!({ "kind": "revoked", "doc": doc.as_str() }),
        })
        .collect();
    let progress = resp.progress.map(|p| json!({ "done": p.done, "total": p.total }));
    json!({ "items": items, "cursor": b64(&resp.cursor), "more": resp.more, "reset": resp.reset, "progress": progress })
}
