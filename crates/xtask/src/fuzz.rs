//! `cargo xtask fuzz [--seconds N]`: runs every cargo-fuzz target in `fuzz/` for a
//! bounded time each, after installing what is missing (a nightly toolchain — libFuzzer's
//! instrumentation needs `-Zsanitizer` — and cargo-fuzz).
//!
//! A crash fails the task and leaves the input in `fuzz/artifacts/<target>/`: fix the bug
//! and keep the input as a regression test next to the code it broke.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::install::{cargo_install, install};
use crate::util::{probe, repo_root, run, Steps};

/// The targets in fuzz/Cargo.toml, with the cargo features each needs and its sanitizer.
/// The collector's targets run without AddressSanitizer: the code they reach is safe Rust
/// (ASan finds nothing there that a panic would not), and instrumenting the C inside
/// their dependency tree (SQLite, zstd) makes the build several times longer.
pub(crate) const TARGETS: [(&str, &str, &str); 3] = [
    ("touch", "", "address"),
    ("form_body", "collector", "none"),
    ("search_criteria", "collector", "none"),
];
/// Longest input libFuzzer makes: well over any field or URL the code caps.
const MAX_LEN: u32 = 8192;

/// A command run through rustup's nightly toolchain, without the variables cargo set for
/// this (stable) task, which would pin the child to stable.
fn nightly(program: &str) -> Command {
    let mut command = Command::new("rustup");
    command
        .args(["run", "nightly", program])
        .current_dir(repo_root());
    for name in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "CARGO_TARGET_DIR",
    ] {
        command.env_remove(name);
    }
    command
}

fn ensure_nightly() -> Result<()> {
    let installed = probe("rustup", &["toolchain", "list"]).unwrap_or_default();
    if installed.lines().any(|l| l.starts_with("nightly")) {
        println!("nightly toolchain: installed");
        return Ok(());
    }
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
        .context("cargo-fuzz needs a nightly toolchain and rustup could not install one; fix: rustup toolchain install nightly --profile minimal")
}

fn ensure_cargo_fuzz() -> Result<()> {
    if nightly("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        println!("cargo-fuzz: installed");
        return Ok(());
    }
    install(
        "cargo-fuzz",
        cargo_install(|| Command::new("cargo"), &["cargo-fuzz"]),
        "cargo install cargo-fuzz",
    )
}

pub(crate) fn fuzz(seconds: u32) -> Result<()> {
    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    let mut steps = Steps::new();
    for (target, features, sanitizer) in TARGETS {
        steps.run(&format!("fuzz {target} for {seconds} s"), || {
            let corpus = repo_root().join("fuzz").join("corpus").join(target);
            std::fs::create_dir_all(&corpus)?;
            let mut command = nightly("cargo");
            command.args([
                "fuzz",
                "run",
                "--fuzz-dir",
                "fuzz",
                "--sanitizer",
                sanitizer,
            ]);
            if !features.is_empty() {
                command.args(["--features", features]);
            }
            let status = command
                .arg(target)
                .arg(&corpus)
                .arg("--")
                .arg(format!("-max_total_time={seconds}"))
                .arg(format!("-max_len={MAX_LEN}"))
                .status()
                .context("cannot run cargo fuzz")?;
            if !status.success() {
                bail!(
                    "{target} found a failing input ({status}); it is in fuzz/artifacts/{target}/"
                );
            }
            Ok(None)
        });
    }
    steps.finish("cargo xtask fuzz")
}
