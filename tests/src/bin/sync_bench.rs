//! `sync-bench`: figures for the sync protocol against a real server on loopback, on
//! SQLite and on Postgres. Prints figures and whether each meets its goal, and asserts
//! no timing; it fails only when a phone ends up with the wrong data (see BENCHMARKS.md
//! for what each figure means and the latest results).
//!
//! ```text
//! cargo run --release -p dialbook-tests --bin sync-bench -- [--backend sqlite|postgres|both] [--leads N] [--quick]
//! ```
//!
//! The server runs in this process on the same multi-threaded Tokio runtime as the
//! simulated phones, so server and clients share the machine's cores.

// A binary's root file looks for modules beside itself (in src/bin/, where they would be
// taken for binaries of their own), so each module's path is given.
#[path = "sync_bench/figures.rs"]
mod figures;
#[path = "sync_bench/phone.rs"]
mod phone;
#[path = "sync_bench/push_cost.rs"]
mod push_cost;
#[path = "sync_bench/push_rate.rs"]
mod push_rate;
#[path = "sync_bench/wire_size.rs"]
mod wire_size;
#[path = "sync_bench/workload.rs"]
mod workload;

use clap::{Parser, ValueEnum};
use dialbook_tests::{TestBackend, TestServer, postgres_available};
use figures::Figures;
use phone::Telecaller;
use push_rate::Sweep;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(about = "Sync protocol benchmark: seed, fresh pull, idle reconnect, a day's push, push rate, wire size")]
struct Args {
    #[arg(long, value_enum, default_value_t = Backends::Both)]
    backend: Backends,
    /// Leads the telecaller seeds and a fresh phone pulls [default: 5000, 300 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    leads: Option<u32>,
    /// Small sizes and a short load test, for a smoke run.
    #[arg(long)]
    quick: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backends {
    Sqlite,
    Postgres,
    Both,
}

/// How big each step is.
struct Sizes {
    leads: u32,
    day_calls: usize,
    sweep: Sweep,
}

impl Sizes {
    fn from(args: &Args) -> Self {
        // Each phone cycles through its own leads; enough of them that the sweep adds only
        // a handful of calls to each, as a real day would (pushes slow down as leads grow).
        let (per_level, leads_per_phone) = if args.quick { (Duration::from_secs(1), 50) } else { (Duration::from_secs(5), 200) };
        Self {
            leads: args.leads.unwrap_or(if args.quick { 300 } else { 5_000 }),
            day_calls: 150,
            sweep: Sweep { levels: vec![1, 4, 16, 64], per_level, leads_per_phone },
        }
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Installed before the test server's own (info-level) subscriber, which then stands
    // aside: the figures should not drown in login lines. RUST_LOG still works.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let sizes = Sizes::from(&args);
    let backends: &[TestBackend] = match args.backend {
        Backends::Sqlite => &[TestBackend::Sqlite],
        Backends::Postgres => &[TestBackend::Postgres],
        Backends::Both => &[TestBackend::Sqlite, TestBackend::Postgres],
    };
    let mut runs = Vec::new();
    for &backend in backends {
        let name = backend_name(backend);
        println!("\n== {name}: {} leads ==", sizes.leads);
        if backend == TestBackend::Postgres && !postgres_available().await {
            println!("  SKIPPED: Postgres is not reachable (set DIALBOOK_TEST_POSTGRES_URL)");
            continue;
        }
        runs.push((name, run(backend, &sizes).await?));
    }
    println!("\n== Summary ==\n\n{}", figures::side_by_side(&runs));
    // A missed goal is a figure to read; a phone that lost data is a broken run.
    let failures: usize = runs.iter().map(|(_, f)| f.failures.len()).sum();
    anyhow::ensure!(failures == 0, "{failures} correctness checks FAILED (see above); the figures are not to be trusted");
    Ok(())
}

/// Every step, in order, on a fresh server with one database.
async fn run(backend: TestBackend, sizes: &Sizes) -> anyhow::Result<Figures> {
    let server = TestServer::start(backend).await;
    let admin = server.login_admin().await;
    let priya = Telecaller::create(&server, &admin, "priya").await;
    let mut fig = Figures::default();

    phone::seed(&server, &priya, sizes.leads, &mut fig).await?;
    let mut phone = phone::fresh_pull(&server, &priya, sizes.leads, &mut fig).await?;
    phone::idle_reconnect(&mut phone, &mut fig).await?;
    let day = phone::days_work(&mut phone, sizes.day_calls, &mut fig).await?;
    wire_size::compare(&mut priya.phone(&server, "probe").await, &day.request, &mut fig).await?;
    push_cost::breakdown(&mut phone, &mut fig).await?;
    push_rate::sweep(&server, &admin, &sizes.sweep, &mut fig).await?;

    server.stop().await;
    Ok(fig)
}

fn backend_name(backend: TestBackend) -> &'static str {
    match backend {
        TestBackend::Sqlite => "SQLite",
        TestBackend::Postgres => "Postgres",
    }
}
