//! A native sync client built on core: a `MemoryReplica` (docs + the sans-IO client state
//! machine) driven over real HTTP. Server tests use it as "a phone"; the benchmark uses
//! it to count round trips and bytes.

use anyhow::{Context, bail};
use automerge::ActorId;
use dialbook_core::protocol::client::{Action, Event};
use dialbook_core::protocol::replica::MemoryReplica;
use dialbook_core::protocol::fallback::FallbackSync;
use dialbook_core::protocol::wire::{self, CONTENT_TYPE, DocSyncResponse, PullResponse, PushRequest, PushResponse};
use dialbook_core::{DocId, Timestamp, UserId};
use std::time::{Duration, Instant};

/// Bytes and requests a device has exchanged with the server.
#[derive(Debug, Default, Clone, Copy)]
pub struct Transfer {
    pub requests: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
}

impl Transfer {
    /// What was exchanged after `earlier` (a copy of the same device's counters).
    pub fn since(self, earlier: Transfer) -> Transfer {
        Transfer {
            requests: self.requests - earlier.requests,
            bytes_up: self.bytes_up - earlier.bytes_up,
            bytes_down: self.bytes_down - earlier.bytes_down,
        }
    }
}

/// One push request as it went out: what it carried, its encoded size, and its round trip
/// (encode, POST, answer, decode) as the phone saw it.
#[derive(Debug, Clone)]
pub struct SentPush {
    pub request: PushRequest,
    pub bytes: u64,
    pub latency: Duration,
}

pub struct Device {
    http: reqwest::Client,
    base: String,
    token: String,
    pub replica: MemoryReplica,
    pub transfer: Transfer,
}

pub fn now() -> Timestamp {
    Timestamp(dialbook_server::clock::now_ms())
}

impl Device {
    pub fn new(base_url: &str, token: &str, user: UserId, device_name: &str) -> Self {
        let actor = ActorId::from(rand::random::<[u8; 16]>());
        let mut replica = MemoryReplica::new(user, device_name, actor);
        replica.handle(now(), Event::Started).expect("no docs yet");
        Self { http: reqwest::Client::new(), base: base_url.trim_end_matches('/').to_owned(), token: token.to_owned(), replica, transfer: Transfer::default() }
    }

    /// POST a sync message; returns the status and the raw body.
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<(u16, Vec<u8>)> {
        self.transfer.requests += 1;
        self.transfer.bytes_up += body.len() as u64;
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?.to_vec();
        self.transfer.bytes_down += bytes.len() as u64;
        Ok((status, bytes))
    }

    async fn call<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(&mut self, path: &str, req: &Req) -> Result<Resp, Failure> {
        let (status, body) = self.post_raw(path, CONTENT_TYPE, wire::encode(req)).await.map_err(Failure::Network)?;
        match status {
            200 => wire::decode(&body).map_err(|e| Failure::Server(status, e.to_string())),
            401 => Err(Failure::SignedOut),
            _ => Err(Failure::Server(status, String::from_utf8_lossy(&body).into_owned())),
        }
    }

    /// Sync now, as when the phone comes online: push everything waiting, pull everything
    /// new, run any fallback syncs; stop when the client has nothing more to do.
    pub async fn sync(&mut self) -> anyhow::Result<()> {
        self.replica.handle(now(), Event::Online)?;
        for _ in 0..10_000 {
            match self.replica.next_action(now()) {
                Action::Idle { .. } => {
                    let pending: Vec<DocId> = std::mem::take(&mut self.replica.fallbacks);
                    if pending.is_empty() {
                        return Ok(());
                    }
                    for doc in pending {
                        self.doc_sync(&doc).await?;
                    }
                }
                Action::Push(docs) => {
                    self.push(&docs).await?;
                }
                Action::Pull(req) => match self.call::<_, PullResponse>("/api/sync/pull", &req).await {
                    Ok(resp) => self.replica.handle(now(), Event::Pulled(resp))?,
                    Err(f) => return Err(self.failed(f)),
                },
            }
        }
        bail!("sync did not finish")
    }

    /// Push everything waiting, without pulling (what `sync` does before its pull): one
    /// request per batch of docs the client state machine chooses.
    pub async fn push_pending(&mut self) -> anyhow::Result<Vec<SentPush>> {
        self.replica.handle(now(), Event::Online)?;
        let mut sent = Vec::new();
        while self.replica.client.status().waiting > 0 {
            match self.replica.next_action(now()) {
                Action::Push(docs) => sent.push(self.push(&docs).await?),
                other => bail!("expected a push with {} docs waiting, the client chose {other:?}", self.replica.client.status().waiting),
            }
        }
        Ok(sent)
    }

    async fn push(&mut self, docs: &[DocId]) -> anyhow::Result<SentPush> {
        let request = self.replica.build_push(docs);
        let bytes_before = self.transfer.bytes_up;
        let started = Instant::now();
        match self.call::<_, PushResponse>("/api/sync/push", &request).await {
            Ok(resp) => {
                let latency = started.elapsed();
                self.replica.handle(now(), Event::Pushed(resp))?;
                Ok(SentPush { request, bytes: self.transfer.bytes_up - bytes_before, latency })
            }
            Err(f) => Err(self.failed(f)),
        }
    }

    /// Tell the client the request failed (so it backs off, or signs out) and answer the
    /// error to return.
    fn failed(&mut self, f: Failure) -> anyhow::Error {
        let retryable = !matches!(f, Failure::SignedOut);
        match self.replica.handle(now(), Event::Failed { retryable }) {
            Ok(()) => anyhow::anyhow!("{f}"),
            Err(e) => anyhow::anyhow!("{f}; then the client failed too: {e}"),
        }
    }

    /// The per-doc fallback: Automerge sync rounds until neither side has more to say.
    pub async fn doc_sync(&mut self, doc: &DocId) -> anyhow::Result<()> {
        let mut fallback = FallbackSync::new();
        loop {
            let Some(rd) = self.replica.docs.get_mut(doc) else { bail!("no local doc {doc}") };
            let Some(req) = fallback.next_request(doc, rd) else { break };
            let resp: DocSyncResponse = self.call("/api/sync/doc", &req).await.map_err(|f| anyhow::anyhow!("{f}"))?;
            let rd = self.replica.docs.get_mut(doc).expect("checked above");
            if !fallback.receive(rd, resp)? {
                break;
            }
        }
        let rd = self.replica.docs.get_mut(doc).expect("checked above");
        if fallback.finish(rd) {
            self.replica.client.still_dirty(doc.clone());
        }
        Ok(())
    }
}

#[derive(Debug)]
enum Failure {
    Network(anyhow::Error),
    SignedOut,
    Server(u16, String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Network(e) => write!(f, "network: {e:#}"),
            Failure::SignedOut => f.write_str("signed out (401)"),
            Failure::Server(status, body) => write!(f, "server answered {status}: {body}"),
        }
    }
}

/// A phone (or browser) logged in as `session`.
pub fn device(server: &crate::TestServer, session: &crate::Session, name: &str) -> Device {
    Device::new(&server.base_url, &session.token, session.user_id, name)
}

/// A lead as an admin or telecaller would type it: lead `n` gets a distinct valid mobile.
pub fn new_lead(n: u32, name: &str, assignee: Option<UserId>) -> dialbook_core::lead::NewLead {
    dialbook_core::lead::NewLead {
        id: dialbook_core::LeadId::from_random(rand::random()),
        name: name.to_owned(),
        mobile: dialbook_core::PhoneNumber::parse(&format!("98{:08}", n % 100_000_000)).expect("a valid mobile"),
        alt_mobile: None,
        source: "test".into(),
        assignee,
        follow_up: None,
        tags: Default::default(),
        custom: [("car_model".to_owned(), "Swift".to_owned())].into(),
        notes: String::new(),
    }
}
