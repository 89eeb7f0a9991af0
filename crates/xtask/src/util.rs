//! Small helpers shared by the tasks: where the repository is, running commands loudly,
//! and timing steps.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The repository root (this crate lives in `crates/xtask`).
pub(crate) fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The cargo that runs this task (cargo sets `CARGO`), so nested builds use the same
/// toolchain.
pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(repo_root());
    command
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else `target/` at the root.
pub(crate) fn cargo_target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repo_root().join(dir)
            }
        }
        _ => repo_root().join("target"),
    }
}

/// `$CARGO_HOME/bin`, where `cargo install` puts binaries.
pub(crate) fn cargo_bin_dir() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    Some(home.join("bin"))
}

/// `PATH` with `$CARGO_HOME/bin` in front, for children that look tools up by name
/// (cargo's wasm32 runner is `wasm-bindgen-test-runner`).
pub(crate) fn path_with_cargo_bin() -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> = cargo_bin_dir().into_iter().collect();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

pub(crate) fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command with inherited output; an error when it cannot start or fails.
pub(crate) fn run(command: &mut Command) -> Result<()> {
    let text = describe(command);
    println!("$ {text}");
    let status = command
        .status()
        .with_context(|| format!("cannot start `{text}`"))?;
    if !status.success() {
        bail!("`{text}` failed ({status})");
    }
    Ok(())
}

/// Runs a command and returns its standard output, or `None` when it cannot start or
/// fails (for probing whether a tool is there).
pub(crate) fn probe(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Human time: `850 ms`, `12.3 s`, `2 min 05 s`.
pub(crate) fn format_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", duration.as_secs_f64())
    } else {
        let secs = duration.as_secs();
        format!("{} min {:02} s", secs / 60, secs % 60)
    }
}

/// The outcome of one step of a task.
pub(crate) struct StepResult {
    pub(crate) name: String,
    pub(crate) duration: Duration,
    pub(crate) outcome: Result<Option<String>>,
}

/// Runs named steps, printing a banner and the duration of each, and a summary at the
/// end. `Ok(Some(note))` is a pass with a remark (say, a skipped part).
#[derive(Default)]
pub(crate) struct Steps {
    results: Vec<StepResult>,
    started: Option<Instant>,
}

impl Steps {
    pub(crate) fn new() -> Steps {
        Steps {
            results: Vec::new(),
            started: Some(Instant::now()),
        }
    }

    /// Runs one step; returns whether it passed.
    pub(crate) fn run(
        &mut self,
        name: &str,
        step: impl FnOnce() -> Result<Option<String>>,
    ) -> bool {
        println!("\n==> {name}");
        let started = Instant::now();
        let outcome = step();
        let duration = started.elapsed();
        let passed = outcome.is_ok();
        match &outcome {
            Ok(None) => println!("<== {name}: ok in {}", format_duration(duration)),
            Ok(Some(note)) => println!("<== {name}: ok in {} ({note})", format_duration(duration)),
            Err(e) => println!("<== {name}: FAILED in {}: {e:#}", format_duration(duration)),
        }
        self.results.push(StepResult {
            name: name.to_owned(),
            duration,
            outcome,
        });
        passed
    }

    /// Prints the summary table; an error when any step failed.
    pub(crate) fn finish(self, title: &str) -> Result<()> {
        let total = self.started.map(|s| s.elapsed()).unwrap_or_default();
        let width = self.results.iter().map(|r| r.name.len()).max().unwrap_or(0);
        println!("\n{title} summary:");
        let mut failed = 0;
        for result in &self.results {
            let (status, note) = match &result.outcome {
                Ok(None) => ("ok", String::new()),
                Ok(Some(note)) => ("ok", format!("  ({note})")),
                Err(e) => {
                    failed += 1;
                    ("FAILED", format!("  {e:#}"))
                }
            };
            println!(
                "  {:<width$}  {:>6}  {:>12}{}",
                result.name,
                status,
                format_duration(result.duration),
                note.lines().next().unwrap_or("")
            );
        }
        println!(
            "  {:<width$}  {:>6}  {:>12}",
            "total",
            if failed == 0 { "ok" } else { "FAILED" },
            format_duration(total)
        );
        if failed > 0 {
            bail!("{failed} of {} steps failed", self.results.len());
        }
        Ok(())
    }
}
