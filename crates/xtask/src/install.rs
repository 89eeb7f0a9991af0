//! Installing a missing tool the same way every time: the exact, locked install first;
//! when the registry this machine reaches cannot serve what the lock names, the unlocked
//! install, with a printed note; when both fail, the step that failed and the command that
//! fixes it by hand.

use std::process::Command;

use anyhow::{bail, Result};

use crate::util::{describe, run};

/// One way of installing a tool: what it is called in the messages, and the commands it
/// runs in order (say, `apt-get update` then `apt-get install`).
pub(crate) struct Attempt {
    label: &'static str,
    commands: Vec<Command>,
}

impl Attempt {
    pub(crate) fn new(label: &'static str, commands: Vec<Command>) -> Attempt {
        Attempt { label, commands }
    }

    pub(crate) fn one(label: &'static str, command: Command) -> Attempt {
        Attempt::new(label, vec![command])
    }

    fn run(&mut self) -> Result<()> {
        for command in &mut self.commands {
            run(command)?;
        }
        Ok(())
    }
}

/// Installs `what` with the first attempt that works. The first attempt is the exact one;
/// falling back is said aloud, since it installs versions nobody has tested. `fix` is
/// the command a person runs when every attempt failed.
pub(crate) fn install(what: &str, attempts: Vec<Attempt>, fix: &str) -> Result<()> {
    let mut failures = Vec::new();
    for (i, mut attempt) in attempts.into_iter().enumerate() {
        if i > 0 {
            println!(
                "note: {what}: {} failed; trying {} instead",
                failures
                    .last()
                    .map(|(label, _): &(&str, String)| *label)
                    .unwrap_or("the first install"),
                attempt.label
            );
        }
        let commands: Vec<String> = attempt.commands.iter().map(describe).collect();
        match attempt.run() {
            Ok(()) => {
                if i > 0 {
                    println!(
                        "note: {what} installed by {}: {}",
                        attempt.label,
                        commands.join(" && ")
                    );
                }
                return Ok(());
            }
            Err(error) => failures.push((attempt.label, format!("{error:#}"))),
        }
    }
    let tried: Vec<String> = failures
        .iter()
        .map(|(label, error)| format!("  {label}: {error}"))
        .collect();
    bail!(
        "cannot install {what}; every attempt failed:\n{}\nfix: {fix}",
        tried.join("\n")
    )
}

/// The attempts of a `cargo install` of one crate at one version: `--locked` (the
/// versions its authors tested) first, then without, when this machine's registry lacks a
/// version the crate's lock file names.
pub(crate) fn cargo_install(mut base: impl FnMut() -> Command, args: &[&str]) -> Vec<Attempt> {
    let mut locked = base();
    locked.arg("install").args(args).arg("--locked");
    let mut unlocked = base();
    unlocked.arg("install").args(args);
    vec![
        Attempt::one("the locked install (--locked)", locked),
        Attempt::one(
            "the unlocked install (newest compatible dependencies)",
            unlocked,
        ),
    ]
}

/// Whether this process runs as root (no `sudo` needed for the package manager).
pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// `apt-get ARGS`, as root or through sudo, without questions.
fn apt_get(args: &[&str]) -> Command {
    let mut command = if is_root() {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    command
}

/// Debian's packages: installed from the package lists as they are, then — when those are
/// missing or stale, as on a new machine — after `apt-get update`.
pub(crate) fn apt_install(what: &str, packages: &[&str]) -> Result<()> {
    fn install_args<'a>(packages: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["install", "-y", "--no-install-recommends"];
        args.extend_from_slice(packages);
        args
    }
    let fix = format!(
        "sudo apt-get update && sudo apt-get install -y {}",
        packages.join(" ")
    );
    if Command::new("apt-get").arg("--version").output().is_err() {
        bail!("{what} is missing and this machine has no apt-get; install it with your package manager (on Debian: {fix})");
    }
    install(
        what,
        vec![
            Attempt::one("apt-get install", apt_get(&install_args(packages))),
            Attempt::new(
                "apt-get update, then apt-get install",
                vec![apt_get(&["update"]), apt_get(&install_args(packages))],
            ),
        ],
        &fix,
    )
}

/// `npm ci` (exactly package-lock.json) first, then `npm install` (package.json's ranges).
pub(crate) fn npm_install(root: &std::path::Path) -> Result<()> {
    let mut ci = Command::new("npm");
    ci.arg("ci").current_dir(root);
    let mut install_unlocked = Command::new("npm");
    install_unlocked
        .args(["install", "--no-save"])
        .current_dir(root);
    install(
        "the npm packages",
        vec![
            Attempt::one("npm ci (exactly package-lock.json)", ci),
            Attempt::one(
                "npm install (package.json's version ranges)",
                install_unlocked,
            ),
        ],
        "install Node.js 20+ with npm, then run `npm ci` (or `npm install`) at the repository root",
    )
}

#[cfg(test)]
mod tests {
    use super::{install, Attempt};
    use std::process::Command;

    fn shell(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn falls_back_to_the_second_attempt() {
        let dir = tempfile_dir();
        let marker = dir.join("installed");
        let attempts = vec![
            Attempt::one("exact", shell("exit 3")),
            Attempt::one("unlocked", shell(&format!("touch {}", marker.display()))),
        ];
        install("a tool", attempts, "do it by hand").unwrap();
        assert!(marker.exists());
    }

    #[test]
    fn names_every_failed_attempt_and_the_fix() {
        let attempts = vec![
            Attempt::one("exact", shell("exit 3")),
            Attempt::new("unlocked", vec![shell("true"), shell("exit 4")]),
        ];
        let error = format!(
            "{:#}",
            install("a tool", attempts, "run the fix").unwrap_err()
        );
        assert!(error.contains("cannot install a tool"), "{error}");
        assert!(error.contains("exact: `sh -c exit 3` failed"), "{error}");
        assert!(error.contains("unlocked: `sh -c exit 4` failed"), "{error}");
        assert!(error.ends_with("fix: run the fix"), "{error}");
    }

    #[test]
    fn stops_at_the_first_attempt_that_works() {
        let dir = tempfile_dir();
        let marker = dir.join("second-ran");
        let attempts = vec![
            Attempt::one("exact", shell("true")),
            Attempt::one("unlocked", shell(&format!("touch {}", marker.display()))),
        ];
        install("a tool", attempts, "-").unwrap();
        assert!(!marker.exists());
    }

    /// A new folder per call (tests run on several threads).
    fn tempfile_dir() -> std::path::PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-install-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
