//! `cargo xtask test`: every test, browser tests included, and the tracker size report.
//!
//! Steps: tools → tracker build → size budget → native tests of the workspace → lints → the
//! tracker's wasm tests in headless Chromium → the end-to-end tests (node's test runner
//! driving Chromium against the real collector binary) → the API against its OpenAPI
//! document (Schemathesis, see `api_check`). A failed build stops the run; the test steps
//! all run, so one report shows every failure.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::install::is_root;
use crate::tools::{self, Need, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use crate::tracker;
use crate::util::{cargo, cargo_target_dir, path_with_cargo_bin, repo_root, run, Steps};

const TITLE: &str = "cargo xtask test";

pub(crate) fn test() -> Result<()> {
    let mut steps = Steps::new();
    let mut found = None;
    steps.run("ensure tools", || {
        found = Some(tools::ensure(Need::BuildAndBrowser)?);
        Ok(None)
    });
    let Some(tools) = found else {
        return steps.finish(TITLE);
    };
    if !steps.run("build tracker", || tracker::build(&tools).map(|()| None)) {
        return steps.finish(TITLE);
    }
    steps.run("vendor files (ECharts, Swagger UI)", || {
        crate::vendor::copy().map(|()| None)
    });
    steps.run("tracker size", || tracker::report().map(Some));
    steps.run("native tests (cargo test --workspace)", || {
        run(cargo().args(["test", "--workspace", "--no-fail-fast"])).map(|()| None)
    });
    // Lints after the tests, so a lint never hides a failing test from the report.
    steps.run("lints (cargo clippy --workspace --all-targets)", || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
        .map(|()| None)
    });
    steps.run("tests that need root (cargo test -- --ignored)", root_tests);
    steps.run("tracker tests in Chromium (wasm-bindgen-test)", || {
        let chromedriver = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| CHROMEDRIVER.into());
        run(cargo()
            .args(["test", "-p", "leadtrail-tracker", "--target", WASM_TARGET])
            .env("CHROMEDRIVER", chromedriver)
            .env("PATH", path_with_cargo_bin()))
        .map(|()| None)
    });
    steps.run("end-to-end tests in Chromium (node --test)", end_to_end);
    steps.run(
        "the API against its OpenAPI document (Schemathesis)",
        crate::api_check::check,
    );
    steps.finish(TITLE)
}

/// The `*.test.mjs` files in `tests/e2e`, relative to the root, sorted.
fn end_to_end_tests() -> Result<Vec<PathBuf>> {
    let dir = repo_root().join("tests").join("e2e");
    let mut tests = Vec::new();
    if dir.is_dir() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".test.mjs") {
                tests.push(PathBuf::from("tests").join("e2e").join(name));
            }
        }
    }
    tests.sort();
    Ok(tests)
}

fn end_to_end() -> Result<Option<String>> {
    let tests = end_to_end_tests()?;
    if tests.is_empty() {
        bail!("tests/e2e has no *.test.mjs: the end-to-end tests are missing");
    }
    run(cargo().args(["build", "-p", "leadtrail-collector"]))?;
    let collector = cargo_target_dir().join("debug").join("leadtrail");
    run(Command::new("node")
        .arg("--test")
        .args(&tests)
        .current_dir(repo_root())
        .env("LEADTRAIL_BIN", &collector)
        .env("CHROMIUM", CHROMIUM))?;
    Ok(None)
}

/// The tests `#[ignore]`d because they need root (a tmpfs to fill): run here when this
/// is root, and reported as not run otherwise, so the summary says what was left out.
fn root_tests() -> Result<Option<String>> {
    const ROOT_ONLY: &[&str] = &["a_full_disk_answers_503_and_recovers_by_itself"];
    if !is_root() {
        return Ok(Some(format!(
            "NOT RUN (needs root): {}",
            ROOT_ONLY.join(", ")
        )));
    }
    for name in ROOT_ONLY {
        // Every test target of the workspace, as the native tests build them: the same
        // features, so nothing is rebuilt; the filter runs only the one test.
        run(cargo().args([
            "test",
            "--workspace",
            "--tests",
            "--",
            "--ignored",
            "--exact",
            name,
        ]))?;
    }
    Ok(None)
}
