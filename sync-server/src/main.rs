//! The `dialbook-server` command: parse flags, start logging, run a subcommand. All the
//! work is in the library; this is glue (and the only place that uses `anyhow` freely).

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;
use dialbook_server::Config;
use dialbook_server::users::first_admin::{self, AdminCreated};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "dialbook-server", version, about = "Dialbook's server: sync, accounts, admin API and the PWA in one binary.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    config: Config,

    /// Log format: `text` for people, `json` for log collectors. Filter with RUST_LOG.
    #[arg(long, env = "DIALBOOK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (what happens when no command is given).
    Serve,
    /// Create an admin account, or with --reset give an existing user admin rights and a
    /// new password (the way back in when every admin password is lost).
    CreateAdmin {
        #[arg(long)]
        username: String,
        /// The new password; or set DIALBOOK_ADMIN_PASSWORD so it stays out of shell history.
        #[arg(long, env = "DIALBOOK_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// If the user exists: make them an enabled admin with this password, signed out
        /// of every device.
        #[arg(long)]
        reset: bool,
    },
    /// Rebuild the lead projections (search, dashboards, export, reminders) and each
    /// document's access from the change log. Safe to run while the server is up.
    RebuildProjections,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_command(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One readable line for the operator (no backtrace, even with RUST_BACKTRACE).
            eprintln!("error: {}", dialbook_server::error::error_chain(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run_command(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => dialbook_server::run(cli.config).await,
        Command::CreateAdmin { username, password, reset } => {
            let db = dialbook_server::open_db(&cli.config).await?;
            let outcome = first_admin::create_admin(&db, &username, &password, reset)
                .await
                .with_context(|| format!("cannot create the admin {username:?}"))?;
            match outcome {
                AdminCreated::Created(id) => println!("Created admin {username:?} (user {id})."),
                AdminCreated::Reset(id) => {
                    println!("{username:?} (user {id}) is now an enabled admin with the new password, signed out everywhere.")
                }
            }
            db.pool.close().await;
            Ok(())
        }
        Command::RebuildProjections => {
            let db = dialbook_server::open_db(&cli.config).await?;
            let mut tx = db.write_tx().await?;
            let report = dialbook_server::leads::projection::rebuild(tx.conn()).await.context("rebuilding projections")?;
            tx.commit().await?;
            println!("Rebuilt projections for {} leads from {} change-log entries.", report.leads, report.changes);
            db.pool.close().await;
            Ok(())
        }
    }
}

/// Logs go to stderr, so stdout carries only what a person or script must read (the
/// first admin's password, the listening address).
fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
