//! The real `dialbook-server` binary, for tests of the shipped program: start-up output,
//! configuration from the environment, graceful stop on SIGTERM.
//!
//! Cargo does not build another package's binaries for this package's tests, so
//! [`server_binary`] runs `cargo build -p dialbook-server` (with `$CARGO`, into the same
//! target folder and profile as the running test) once per test process. Cargo makes that
//! a quick no-op when the binary is up to date, and it is never stale. Set
//! `DIALBOOK_SERVER_BIN` to use a prebuilt binary instead.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Path of the `dialbook-server` binary, built first if need be (see the module docs).
pub fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("DIALBOOK_SERVER_BIN") {
        return PathBuf::from(path);
    }
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_server_binary).clone()
}

fn build_server_binary() -> PathBuf {
    // The test executable is target/<profile>/deps/<test>-<hash>.
    let exe = std::env::current_exe().expect("the test executable's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps layout");
    let target_dir = profile_dir.parent().expect("a target folder");
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).expect("a profile folder name");
    let binary = profile_dir.join(format!("dialbook-server{}", std::env::consts::EXE_SUFFIX));

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace folder");
    let mut cmd = Command::new(cargo);
    // Cargo gives the test process CARGO_MANIFEST_DIR, CARGO_PKG_* … of the tests package.
    // Passed on, they look like a changed environment to build scripts that watch them
    // (ring does), and every run would rebuild the TLS stack.
    for (name, _) in std::env::vars_os() {
        let per_package = name.to_str().is_some_and(|n| {
            n.starts_with("CARGO_PKG_")
                || n.starts_with("CARGO_BIN_")
                || matches!(
                    n,
                    "CARGO_MANIFEST_DIR" | "CARGO_MANIFEST_PATH" | "CARGO_CRATE_NAME" | "CARGO_PRIMARY_PACKAGE" | "CARGO_TARGET_TMPDIR"
                )
        });
        if per_package {
            cmd.env_remove(name);
        }
    }
    cmd.current_dir(workspace).args(["build", "--quiet", "-p", "dialbook-server", "--target-dir"]).arg(target_dir);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    let status = cmd.status().expect("running cargo to build dialbook-server");
    assert!(status.success(), "`cargo build -p dialbook-server` failed: {status}");
    assert!(binary.is_file(), "cargo built dialbook-server, but not at {}", binary.display());
    binary
}

/// A running `dialbook-server` process. Killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    /// What the server printed to stdout before it was listening (the first-admin box).
    pub startup_output: Vec<String>,
    /// Everything it printed to stderr (its logs), collected when it exits.
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl ServerProcess {
    /// Runs `dialbook-server <args>` with `envs` on `127.0.0.1:0` and waits (up to a
    /// minute) until it says where it listens. The server's settings come from `args` and
    /// `envs` only: `DIALBOOK_*` and `DATABASE_URL` from the test's environment are removed.
    pub fn start(args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(server_binary());
        for (name, _) in std::env::vars_os() {
            let inherited = name.to_str().is_some_and(|n| n.starts_with("DIALBOOK_") || n == "DATABASE_URL");
            if inherited {
                cmd.env_remove(name);
            }
        }
        let mut child = cmd
            .args(args)
            .env("DIALBOOK_LISTEN", "127.0.0.1:0")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting dialbook-server");

        let stdout = child.stdout.take().expect("piped stdout");
        let (lines_tx, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n")
        });

        let deadline = Instant::now() + Duration::from_secs(60);
        let mut startup_output = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("Dialbook listening on ") {
                    Some(url) => {
                        // Keep draining stdout so the server never blocks on a full pipe.
                        std::thread::spawn(move || for _ in lines {});
                        return Self { child, base_url: url.trim().to_owned(), startup_output, stderr: Some(stderr) };
                    }
                    None => startup_output.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    let logs = stderr.join().unwrap_or_default();
                    panic!("dialbook-server did not start listening within a minute.\nstdout: {startup_output:#?}\nstderr:\n{logs}");
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM (what `docker stop` sends) and waits up to `within` for the exit.
    /// Returns the exit status and the server's logs.
    pub fn terminate(mut self, within: Duration) -> (ExitStatus, String) {
        let sent = Command::new("sh").arg("-c").arg(format!("kill -TERM {}", self.child.id())).status();
        assert!(sent.is_ok_and(|s| s.success()), "could not send SIGTERM");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for the server") {
                let logs = self.stderr.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
                return (status, logs);
            }
            assert!(Instant::now() < deadline, "dialbook-server did not exit within {within:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
