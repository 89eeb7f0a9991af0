//! `cargo xtask test`'s check that the OpenAPI document is true to the server: Schemathesis
//! (from PyPI, in a virtualenv under `target/`) reads `/api/v1/openapi.json` from a
//! collector serving demo data, sends the requests it generates from it, and runs every
//! check it has (`--checks all`): statuses, bodies and headers the document does not
//! list, valid requests refused, invalid ones accepted, server errors.
//!
//! The run is bounded and reproducible: a fixed number of examples per operation, a fixed
//! seed, one worker, and a database made afresh by `leadtrail demo-data` with a fixed seed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::install::{install, Attempt};
use crate::util::{cargo, cargo_target_dir, describe, probe, repo_root, run};

/// The virtualenv Schemathesis is installed in (never committed).
const VENV: &str = "target/api-check-venv";
/// Schemathesis and its dependencies at the versions this check was made with.
const REQUIREMENTS: &str = "tests/api/requirements.txt";
/// Generated requests per operation, and the seed they come from.
const MAX_EXAMPLES: &str = "20";
const SEED: &str = "7";
const DEMO_PERSONS: &str = "300";
const DEMO_SEED: &str = "7";
/// The token of the throwaway collector (16+ characters, so it does not warn).
const TOKEN: &str = "api-check-token-not-a-secret";
const LISTENING: &str = "leadtrail listening on http://";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// The install by hand.
pub(crate) const FIX: &str = "python3 -m venv target/api-check-venv && \
    target/api-check-venv/bin/pip install -r tests/api/requirements.txt \
    (on Debian, `apt-get install python3-venv` first)";

fn venv() -> PathBuf {
    repo_root().join(VENV)
}

fn schemathesis() -> PathBuf {
    venv().join("bin").join("schemathesis")
}

/// The installed Schemathesis's version line, if it runs.
pub(crate) fn installed_version() -> Option<String> {
    probe(schemathesis(), &["--version"])
}

/// A fresh virtualenv with the pinned requirements; when PyPI cannot serve those, the
/// newest Schemathesis instead.
pub(crate) fn install_schemathesis() -> Result<()> {
    let root = repo_root();
    let make_venv = || {
        let mut command = Command::new("python3");
        command
            .args(["-m", "venv", "--clear"])
            .arg(venv())
            .current_dir(&root);
        command
    };
    let pip = || {
        let mut command = Command::new(venv().join("bin").join("pip"));
        command
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .current_dir(&root);
        command
    };
    let mut pinned = pip();
    pinned.args(["-r", REQUIREMENTS]);
    let mut newest = pip();
    newest.arg("schemathesis");
    install(
        "schemathesis",
        vec![
            Attempt::new(
                "the pinned install (tests/api/requirements.txt)",
                vec![make_venv(), pinned],
            ),
            Attempt::new(
                "the unpinned install (newest schemathesis)",
                vec![make_venv(), newest],
            ),
        ],
        FIX,
    )
}

/// A file removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The collector under test; killed if it still runs when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `binary serve` on a free port and returns it with its base URL.
fn start(binary: &Path, db: &Path) -> Result<(Server, String)> {
    let mut child = Command::new(binary)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--api-token",
            TOKEN,
            "--db",
        ])
        .arg(db)
        // Schemathesis posts forms from one address far faster than any person.
        .env("LEADTRAIL_FORM_POSTS_PER_MINUTE", "0")
        .env("LEADTRAIL_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(LISTENING) {
                let _ = sender.send(rest.trim().to_owned());
            } else {
                println!("[leadtrail] {line}");
            }
        }
    });
    let addr = receiver
        .recv_timeout(STARTUP_TIMEOUT)
        .context("the collector did not say where it listens")?;
    Ok((server, format!("http://{addr}")))
}

/// Builds the collector, serves demo data and runs Schemathesis against it; the note is
/// Schemathesis's own count of what it tested.
pub(crate) fn check() -> Result<Option<String>> {
    run(cargo().args(["build", "-p", "leadtrail-collector"]))?;
    let binary = cargo_target_dir().join("debug").join("leadtrail");
    let db = TempFile(
        std::env::temp_dir().join(format!("leadtrail-api-check-{}.db", std::process::id())),
    );
    let _ = std::fs::remove_file(&db.0);
    run(Command::new(&binary)
        .args([
            "demo-data",
            "--persons",
            DEMO_PERSONS,
            "--seed",
            DEMO_SEED,
            "--db",
        ])
        .arg(&db.0))?;
    let (server, base) = start(&binary, &db.0)?;
    let mut command = Command::new(schemathesis());
    command
        .args(["--config-file", "tests/api/schemathesis.toml", "run"])
        .arg(format!("{base}/api/v1/openapi.json"))
        .args(["--url", &base])
        .args(["--checks", "all"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--workers", "1", "--generation-database", "none"])
        .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
        .arg("--no-color")
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let text = describe(&command);
    println!("$ {text}");
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start `{text}`"))?;
    let stdout = child.stdout.take().context("no stdout")?;
    // The summary's figures: the lines under its "API Operations:" and "Test cases:"
    // headings (`Tested: 69`, `4561 generated, 4561 passed, 174 skipped`).
    let mut summary = Vec::new();
    let mut heading: Option<&str> = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        println!("{line}");
        let trimmed = line.trim();
        match trimmed {
            "API Operations:" => heading = Some("operations"),
            "Test cases:" => heading = Some("cases"),
            "" => heading = None,
            figure => match heading {
                Some("operations") if figure.starts_with("Tested:") => {
                    summary.push(format!("{} operations", figure["Tested:".len()..].trim()))
                }
                Some("cases") => summary.push(figure.to_owned()),
                _ => {}
            },
        }
    }
    let status = child.wait().context("schemathesis did not finish")?;
    drop(server);
    if !status.success() {
        bail!("the API disagrees with its OpenAPI document (Schemathesis, {status}): see above");
    }
    Ok((!summary.is_empty()).then(|| summary.join(", ")))
}
