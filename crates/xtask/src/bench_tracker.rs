//! `cargo xtask bench tracker`: what the tracker costs a page — its download size (the
//! budgeted table of `build-tracker`) and, in headless Chromium, the time from the loader
//! starting to `leadtrail.ready` and the time it adds to a form submit
//! (`bench/tracker_cost.mjs` does the measuring).

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::tools::{self, Need, CHROMIUM};
use crate::tracker;
use crate::util::{cargo, cargo_target_dir, repo_root, run};

pub(crate) fn run_tracker() -> Result<()> {
    let tools = tools::ensure(Need::BuildAndBrowser)?;
    tracker::build(&tools)?;
    tracker::report()?;
    run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
    let binary = cargo_target_dir().join("release").join("leadtrail");
    let script = repo_root().join("crates/xtask/bench/tracker_cost.mjs");
    println!("$ node {}", script.display());
    let output = Command::new("node")
        .arg(&script)
        .current_dir(repo_root())
        .env("LEADTRAIL_BIN", &binary)
        .env("CHROMIUM", CHROMIUM)
        .output()
        .context("cannot run node")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "the page-cost measurement failed ({}):\n{stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let value = |key: &str| -> Result<f64> {
        stdout
            .lines()
            .find_map(|l| {
                l.strip_prefix("tracker_cost ")?
                    .strip_prefix(key)?
                    .trim()
                    .parse()
                    .ok()
            })
            .with_context(|| format!("no {key} in the measurement's output:\n{stdout}"))
    };
    let (submit_without, submit_with) = (value("submit_without_us")?, value("submit_with_us")?);
    let (data_without, data_with) = (value("formdata_without_us")?, value("formdata_with_us")?);
    println!("\nTracker cost on the page (headless Chromium, collector on 127.0.0.1)");
    println!(
        "{:<44} {:>10}",
        "loader start → ready, median (p90)",
        format!(
            "{:.1} ms ({:.1})",
            value("ready_median_ms")?,
            value("ready_p90_ms")?
        )
    );
    println!(
        "{:<44} {:>10}",
        "page loads measured",
        format!("{:.0}", value("page_loads")?)
    );
    println!(
        "{:<44} {:>10}",
        "form submit without → with tracker",
        format!(
            "{submit_without:.1} → {submit_with:.1} µs (+{:.1} µs)",
            submit_with - submit_without
        )
    );
    println!(
        "{:<44} {:>10}",
        "new FormData(form) without → with tracker",
        format!(
            "{data_without:.1} → {data_with:.1} µs (+{:.1} µs)",
            data_with - data_without
        )
    );
    println!(
        "{:<44} {:>10}",
        "hidden lt_* fields the form carried",
        format!("{:.0}", value("hidden_fields")?)
    );
    Ok(())
}
