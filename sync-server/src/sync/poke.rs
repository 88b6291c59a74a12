//! Live pokes: "new data past cursor N". A push that commits pokes this instance's
//! subscribers directly; on Postgres it also sends `NOTIFY` inside its transaction, and
//! every instance's listener pokes its own subscribers, so a client connected to one
//! instance hears about a push made through another. Clients answer a poke with a pull.
//! A poke only ever says something new: one no newer than the last sent (this instance's
//! own push coming back through `NOTIFY`) is dropped, so each push pokes once.

use crate::auth::Caller;
use crate::db::Backend;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use sqlx::AnyConnection;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

pub const CHANNEL: &str = "dialbook_poke";

#[derive(Clone)]
pub struct PokeHub {
    tx: broadcast::Sender<i64>,
    closed: tokio::sync::watch::Sender<bool>,
    /// The newest position poked so far.
    latest: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl PokeHub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(256);
        let (closed, _) = tokio::sync::watch::channel(false);
        Self { tx, closed, latest: Default::default() }
    }

    /// The server is shutting down: end every event stream.
    pub fn close(&self) {
        let _ = self.closed.send(true);
    }

    pub async fn closing(&self) {
        let mut rx = self.closed.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.tx.subscribe()
    }
    pub fn poke(&self, seq: i64) {
        if self.latest.fetch_max(seq, std::sync::atomic::Ordering::AcqRel) >= seq {
            return;
        }
        // No subscribers is normal (nobody online).
        let _ = self.tx.send(seq);
    }
}

impl Default for PokeHub {
    fn default() -> Self {
        Self::new()
    }
}

/// Queue a cross-instance poke; Postgres delivers it when the transaction commits.
pub async fn notify_in_tx(conn: &mut AnyConnection, backend: Backend, seq: i64) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT 1 AS sent FROM (SELECT pg_notify($1, $2)) AS n")
            .bind(CHANNEL)
            .bind(seq.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Listen for other instances' pokes for as long as the server runs, reconnecting after
/// a dropped connection.
pub fn spawn_pg_listener(database_url: String, hub: PokeHub) {
    tokio::spawn(async move {
        loop {
            let stopped = tokio::select! {
                () = hub.closing() => true,
                result = listen(&database_url, &hub) => match result {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!("poke listener lost its connection ({e}); reconnecting in 1 s");
                        false
                    }
                },
            };
            if stopped {
                return;
            }
            tokio::select! {
                () = hub.closing() => return,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    });
}

async fn listen(url: &str, hub: &PokeHub) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let note = listener.recv().await?;
        if let Ok(seq) = note.payload().parse::<i64>() {
            hub.poke(seq);
        }
    }
}

/// `GET /api/sync/events`: a Server-Sent Events stream of `poke` events carrying the
/// newest log position. Lagging subscribers just get the latest poke.
pub async fn events(State(state): State<crate::state::AppState>, _caller: Caller) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(state.pokes.subscribe()).filter_map(|msg| match msg {
        Ok(seq) => Some(Ok(Event::default().event("poke").data(seq.to_string()))),
        Err(_lagged) => None,
    });
    let hello = tokio_stream::once(Ok(Event::default().event("ready").data("")));
    let hub = state.pokes.clone();
    let until_shutdown = futures_util::StreamExt::take_until(hello.chain(stream), async move { hub.closing().await });
    Sse::new(until_shutdown).keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
}
