//! `cargo xtask ensure-tools`: installs what a fresh machine lacks for building and
//! testing the tracker, and checks what cannot be installed from here.
//!
//! - the `wasm32-unknown-unknown` target (rustup);
//! - wasm-bindgen-cli at exactly the version the workspace pins for the `wasm-bindgen`
//!   crate: the CLI refuses modules from another version;
//! - npm's packages (`npm ci`): binaryen's `wasm-opt` (Debian's binaryen is broken, so it
//!   is never used), terser (minifies the tracker's JavaScript) and playwright-core for
//!   the end-to-end tests;
//! - for browser tests, Chromium and chromedriver from Debian's packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util::{cargo, cargo_bin_dir, probe, repo_root, run};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where the tools that the tracker build needs are.
#[derive(Debug, Clone)]
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
    pub terser: PathBuf,
}

/// What the tasks need of the machine besides the build tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Build,
    /// Also Chromium and chromedriver.
    BuildAndBrowser,
}

pub fn ensure(need: Need) -> Result<Tools> {
    ensure_wasm_target()?;
    let wasm_bindgen = ensure_wasm_bindgen()?;
    let wasm_opt = ensure_npm_packages()?;
    if need == Need::BuildAndBrowser {
        ensure_browser()?;
    }
    Ok(Tools {
        wasm_bindgen,
        wasm_opt,
        terser: repo_root().join("node_modules").join(".bin").join("terser"),
    })
}

fn ensure_wasm_target() -> Result<()> {
    // Works with or without rustup: the target's standard library is there or not.
    let libdir = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if libdir.is_some_and(|dir| dir.is_dir()) {
        println!("{WASM_TARGET} target: installed");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        .context("the wasm32 target is missing and rustup could not add it")
}

/// The version in the root manifest's `wasm-bindgen = "=X"` (or `{ version = "=X" }`).
pub fn pinned_wasm_bindgen_version(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("wasm-bindgen")?.trim_start();
        let rest = rest.strip_prefix('=')?;
        let start = rest.find("\"=")? + 2;
        let len = rest[start..].find('"')?;
        Some(rest[start..start + len].trim().to_owned())
    })
}

fn wasm_bindgen_version(program: &Path) -> Option<String> {
    // `wasm-bindgen 0.2.130`
    probe(program, &["--version"]).and_then(|out| out.split_whitespace().nth(1).map(str::to_owned))
}

fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let manifest_path = repo_root().join("Cargo.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let pinned = pinned_wasm_bindgen_version(&manifest).with_context(|| {
        format!(
            "{} pins no wasm-bindgen version (`wasm-bindgen = \"=X\"`)",
            manifest_path.display()
        )
    })?;
    let installed_in_cargo_bin = cargo_bin_dir().map(|d| d.join("wasm-bindgen"));
    let candidates = [
        Some(PathBuf::from("wasm-bindgen")),
        installed_in_cargo_bin.clone(),
    ];
    for candidate in candidates.iter().flatten() {
        if wasm_bindgen_version(candidate).as_deref() == Some(pinned.as_str()) {
            println!("wasm-bindgen-cli {pinned}: installed");
            return Ok(candidate.clone());
        }
    }
    println!("wasm-bindgen-cli {pinned} is missing: installing it (takes a few minutes)");
    run(cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &pinned,
        "--locked",
    ]))?;
    let installed = installed_in_cargo_bin.unwrap_or_else(|| PathBuf::from("wasm-bindgen"));
    match wasm_bindgen_version(&installed) {
        Some(version) if version == pinned => Ok(installed),
        other => bail!(
            "installed wasm-bindgen-cli {pinned}, but {} reports {other:?}",
            installed.display()
        ),
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn ensure_npm_packages() -> Result<PathBuf> {
    let root = repo_root();
    let node_modules = root.join("node_modules");
    let wasm_opt = node_modules.join(".bin").join("wasm-opt");
    // npm records what it installed in node_modules/.package-lock.json.
    let installed_at = modified(&node_modules.join(".package-lock.json"));
    let stale = match (installed_at, modified(&root.join("package-lock.json"))) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    };
    let missing = ["playwright-core", "terser"]
        .iter()
        .any(|package| !node_modules.join(package).exists());
    if stale || missing || !wasm_opt.exists() {
        println!("npm packages missing or older than package-lock.json: npm ci");
        run(Command::new("npm").arg("ci").current_dir(&root))
            .context("npm ci failed (Node.js 20+ with npm is needed)")?;
    } else {
        println!("npm packages: installed");
    }
    let version = probe(&wasm_opt, &["--version"])
        .with_context(|| format!("{} does not run", wasm_opt.display()))?;
    println!("{version}");
    Ok(wasm_opt)
}

fn ensure_browser() -> Result<()> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} missing: install with `apt-get install -y chromium chromium-driver`",
            missing.join(" and ")
        );
    }
    println!("Chromium and chromedriver: installed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::pinned_wasm_bindgen_version;

    #[test]
    fn reads_the_pinned_version_in_both_spellings() {
        let plain =
            "[workspace.dependencies]\nwasm-bindgen-test = \"0.3\"\nwasm-bindgen = \"=0.2.130\"\n";
        assert_eq!(
            pinned_wasm_bindgen_version(plain).as_deref(),
            Some("0.2.130")
        );
        let table = "wasm-bindgen = { version = \"=0.2.99\", default-features = false }";
        assert_eq!(
            pinned_wasm_bindgen_version(table).as_deref(),
            Some("0.2.99")
        );
        assert_eq!(pinned_wasm_bindgen_version("wasm-bindgen = \"0.2\""), None);
    }
}
