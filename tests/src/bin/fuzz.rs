//! `fuzz`: structure-aware mutation fuzzing of everything the server reads from a client,
//! on the stable toolchain. Each target starts from valid inputs made by the real code
//! (a phone's changes, wire messages, sync messages, imports, numbers), mutates them
//! (bit flips, splices, truncation, length fields, checksums made to match so mutations
//! reach past the checksum) and checks the target's invariants on every input:
//!
//! - `wire`: the sync message decoders never panic; what decodes re-encodes to the same.
//! - `changes`: the server's check of pushed changes (`untrusted` then `authorize`, a
//!   panic inside Automerge contained as the server contains it): never a panic; what it
//!   would store loads again, keeps the lead limits, and is never a stranger's edit.
//! - `docsync`: fallback sync messages through the server's checks, likewise.
//! - `cursor`, `import` (CSV and pasted lines), `phone`: never a panic.
//! - `http`: mutated push, pull and doc-sync bodies to a real server on SQLite (and
//!   Postgres when reachable): never a 5xx, and a refused request stores nothing.
//!
//! ```text
//! cargo run --release -p dialbook-tests --bin fuzz -- [--inputs N | --seconds S] [--target NAME] [--seed N]
//! ```
//!
//! A failure prints the target, the input (hex) and the seed, and exits non-zero.

#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/targets.rs"]
mod targets;

use clap::Parser;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Mutation fuzzing of the server's input checks (stable toolchain)")]
struct Args {
    /// Inputs per target (the long run uses 1,000,000; `http` takes a tenth).
    #[arg(long)]
    inputs: Option<u64>,
    /// Or: seconds per target.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Run only this target.
    #[arg(long)]
    target: Option<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// How long a target runs.
#[derive(Clone, Copy)]
pub enum Budget {
    Inputs(u64),
    Time(Duration),
}

impl Budget {
    pub fn more(&self, done: u64, started: Instant) -> bool {
        match *self {
            Budget::Inputs(n) => done < n,
            Budget::Time(t) => started.elapsed() < t,
        }
    }
}

fn main() {
    let args = Args::parse();
    // The server's contained panics print through the default hook; keep the output to
    // the figures (a panic that escapes is reported by the target itself).
    std::panic::set_hook(Box::new(|_| {}));
    // The in-process server of `http` logs every refusal; the figures are the output.
    let _ = tracing_subscriber::fmt().with_env_filter("off").try_init();
    let budget = match args.inputs {
        Some(n) => Budget::Inputs(n),
        None => Budget::Time(Duration::from_secs_f64(args.seconds)),
    };
    let chosen = |name: &str| args.target.as_deref().is_none_or(|t| t == name);
    let mut failed = false;
    println!("{:<10} {:>10} {:>10} {:>12}  notes", "target", "inputs", "seconds", "inputs/s");
    for target in targets::ALL {
        if !chosen(target.name) {
            continue;
        }
        let started = Instant::now();
        let report = (target.run)(budget, args.seed);
        let secs = started.elapsed().as_secs_f64();
        println!("{:<10} {:>10} {:>10.1} {:>12.0}  {}", target.name, report.inputs, secs, report.inputs as f64 / secs, report.notes);
        if let Some(failure) = report.failure {
            eprintln!("FAIL {}: {failure}\n  seed {}", target.name, args.seed);
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}
