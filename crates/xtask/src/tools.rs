//! What the tasks need of the machine, checked in one place: `cargo xtask doctor` prints
//! the list, and `run`, `test` and the benches go through the same checks, installing
//! what can be installed from here (see `install`):
//!
//! - the `wasm32-unknown-unknown` target (rustup);
//! - wasm-bindgen-cli at exactly the version the workspace pins for the `wasm-bindgen`
//!   crate: the CLI refuses modules from another version;
//! - npm's packages (package.json): binaryen's `wasm-opt` (Debian's binaryen is broken,
//!   so it is never used), terser, playwright-core, echarts, the API reference viewer and
//!   axe-core (the browser tests' accessibility checks);
//! - for browser tests, Chromium and chromedriver from Debian's packages;
//! - what only a bench or the fuzzers need, checked when they run.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::install::{apt_install, cargo_install, install, npm_install};
use crate::util::{cargo, cargo_bin_dir, probe, repo_root, run};

pub(crate) const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The oldest Node.js the end-to-end tests and the npm tools run on.
const NODE_MAJOR: u32 = 20;
/// The npm packages the tasks use, by the path that shows each is installed.
const NPM_PACKAGES: &[(&str, &str)] = &[
    ("binaryen", ".bin/wasm-opt"),
    ("terser", ".bin/terser"),
    ("playwright-core", "playwright-core/package.json"),
    ("echarts", "echarts/dist/echarts.min.js"),
    ("swagger-ui-dist", "swagger-ui-dist/swagger-ui-bundle.js"),
    ("axe-core", "axe-core/axe.min.js"),
];

/// Where the tools that the tracker build needs are.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    pub(crate) wasm_bindgen: PathBuf,
    pub(crate) wasm_opt: PathBuf,
    pub(crate) terser: PathBuf,
}

/// What a task needs of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Need {
    /// Building the collector and the tracker (`run`, `dist`, `build-tracker`).
    Build,
    /// Also Chromium and chromedriver (`test`, `bench tracker`).
    BuildAndBrowser,
    /// Only one bench or the fuzzers: listed by `doctor`, checked when they run.
    Optional(&'static str),
}

/// One prerequisite: how to see whether it is here, and how to install it.
pub(crate) struct Prerequisite {
    pub(crate) name: &'static str,
    pub(crate) need: Need,
    /// `Ok(what was found)` or `Err(why it is missing)`.
    pub(crate) check: fn() -> Result<String, String>,
    /// Installs it from here; `None` when a person has to (a compiler, Node.js).
    install: Option<fn() -> Result<()>>,
    /// The command that installs it by hand.
    pub(crate) fix: fn() -> String,
}

/// Every prerequisite, in the order the tasks meet them.
pub(crate) fn prerequisites() -> Vec<Prerequisite> {
    vec![
        Prerequisite {
            name: "rustc",
            need: Need::Build,
            check: check_rustc,
            install: None,
            fix: || {
                format!(
                    "rustup update stable (the workspace needs Rust {})",
                    rust_version()
                )
            },
        },
        Prerequisite {
            name: "wasm32 target",
            need: Need::Build,
            check: check_wasm_target,
            install: Some(|| {
                run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
                    .context("the wasm32 target is missing and rustup could not add it")
            }),
            fix: || format!("rustup target add {WASM_TARGET}"),
        },
        Prerequisite {
            name: "wasm-bindgen-cli",
            need: Need::Build,
            check: || find_wasm_bindgen().map(|(path, v)| format!("{v} ({})", path.display())),
            install: Some(install_wasm_bindgen),
            fix: || {
                format!(
                    "cargo install wasm-bindgen-cli --version {} (add --locked when your registry has every version its lock file names)",
                    pinned_version()
                )
            },
        },
        Prerequisite {
            name: "C compiler (cc)",
            need: Need::Build,
            check: || first_line("cc", &["--version"]).ok_or_else(|| "no `cc` on PATH".into()),
            install: None,
            fix: || "apt-get install build-essential (bundled SQLite and jemalloc are C)".into(),
        },
        Prerequisite {
            name: "make",
            need: Need::Build,
            check: || first_line("make", &["--version"]).ok_or_else(|| "no `make` on PATH".into()),
            install: Some(|| apt_install("make", &["make"])),
            fix: || "apt-get install make (jemalloc's build runs it)".into(),
        },
        Prerequisite {
            name: "node",
            need: Need::Build,
            check: check_node,
            install: None,
            fix: || {
                format!(
                    "install Node.js {NODE_MAJOR} or newer (nodejs.org, or your package manager)"
                )
            },
        },
        Prerequisite {
            name: "npm packages",
            need: Need::Build,
            check: check_npm_packages,
            install: Some(|| npm_install(&repo_root())),
            fix: || "npm ci (at the repository root)".into(),
        },
        Prerequisite {
            name: "Chromium",
            need: Need::BuildAndBrowser,
            check: || browser_version(CHROMIUM),
            install: Some(install_chromium),
            fix: || "apt-get install chromium chromium-driver".into(),
        },
        Prerequisite {
            name: "chromedriver",
            need: Need::BuildAndBrowser,
            check: || browser_version(CHROMEDRIVER),
            install: Some(install_chromium),
            fix: || "apt-get install chromium chromium-driver".into(),
        },
        Prerequisite {
            name: "schemathesis",
            need: Need::BuildAndBrowser,
            check: || {
                crate::api_check::installed_version()
                    .ok_or_else(|| "not installed in target/api-check-venv".into())
            },
            install: Some(crate::api_check::install_schemathesis),
            fix: || crate::api_check::FIX.into(),
        },
        Prerequisite {
            name: "wrk",
            need: Need::Optional("bench ingest"),
            check: || {
                find_in_path("wrk")
                    .map(|p| p.display().to_string())
                    .ok_or_else(|| "no `wrk` on PATH".into())
            },
            install: Some(|| apt_install("wrk", &["wrk"])),
            fix: || "apt-get install wrk".into(),
        },
        Prerequisite {
            name: "python3 with duckdb",
            need: Need::Optional("bench tiles"),
            check: || {
                probe(
                    "python3",
                    &["-c", "import duckdb; print('duckdb', duckdb.__version__)"],
                )
                .ok_or_else(|| "python3 cannot import duckdb".into())
            },
            install: None,
            fix: || "pip install duckdb".into(),
        },
        Prerequisite {
            name: "nightly toolchain",
            need: Need::Optional("fuzz"),
            check: || {
                probe("rustup", &["run", "nightly", "rustc", "--version"])
                    .ok_or_else(|| "no nightly toolchain".into())
            },
            install: None,
            fix: || "rustup toolchain install nightly --profile minimal".into(),
        },
    ]
}

/// Checks what `need` asks for, installs what is missing and installable, and fails with
/// the fix for the rest.
pub(crate) fn ensure(need: Need) -> Result<Tools> {
    for prerequisite in prerequisites() {
        if prerequisite.need > need || matches!(prerequisite.need, Need::Optional(_)) {
            continue;
        }
        ensure_one(&prerequisite)?;
    }
    let (wasm_bindgen, _) = find_wasm_bindgen().map_err(anyhow::Error::msg)?;
    let node_modules = repo_root().join("node_modules");
    Ok(Tools {
        wasm_bindgen,
        wasm_opt: node_modules.join(".bin").join("wasm-opt"),
        terser: node_modules.join(".bin").join("terser"),
    })
}

/// Checks one prerequisite by name (a bench's own), installing it when it can.
pub(crate) fn ensure_named(name: &str) -> Result<String> {
    let prerequisite = prerequisites()
        .into_iter()
        .find(|p| p.name == name)
        .with_context(|| format!("no prerequisite named {name}"))?;
    ensure_one(&prerequisite)
}

fn ensure_one(prerequisite: &Prerequisite) -> Result<String> {
    let name = prerequisite.name;
    match (prerequisite.check)() {
        Ok(found) => {
            println!("{name}: {found}");
            return Ok(found);
        }
        Err(missing) => match prerequisite.install {
            Some(install) => {
                println!("{name}: missing ({missing}); installing it");
                install()?;
            }
            None => bail!("{name}: missing ({missing}); fix: {}", (prerequisite.fix)()),
        },
    }
    match (prerequisite.check)() {
        Ok(found) => {
            println!("{name}: {found}");
            Ok(found)
        }
        Err(still) => bail!(
            "{name}: still missing after installing it ({still}); fix: {}",
            (prerequisite.fix)()
        ),
    }
}

/// `cargo xtask doctor`: every prerequisite as found or missing, with its fix. Fails when
/// something that `run` or `test` needs is missing and cannot be installed by them.
pub(crate) fn doctor() -> Result<()> {
    let rows: Vec<(Prerequisite, Result<String, String>)> = prerequisites()
        .into_iter()
        .map(|p| {
            let state = (p.check)();
            (p, state)
        })
        .collect();
    let width = rows.iter().map(|(p, _)| p.name.len()).max().unwrap_or(0);
    let mut blocking = 0;
    for (prerequisite, state) in &rows {
        let needed_for = match prerequisite.need {
            Need::Build => "run, test, dist".to_owned(),
            Need::BuildAndBrowser => "test".to_owned(),
            Need::Optional(what) => what.to_owned(),
        };
        match state {
            Ok(found) => println!("  ok       {:<width$}  {found}", prerequisite.name),
            Err(missing) => {
                let who = if prerequisite.install.is_some() {
                    "installed by the task that needs it, or"
                } else {
                    if !matches!(prerequisite.need, Need::Optional(_)) {
                        blocking += 1;
                    }
                    "install by hand:"
                };
                println!(
                    "  MISSING  {:<width$}  {missing} (for {needed_for}); {who} {}",
                    prerequisite.name,
                    (prerequisite.fix)()
                );
            }
        }
    }
    if blocking > 0 {
        bail!("{blocking} prerequisite(s) of `run`/`test` must be installed by hand (see above)");
    }
    Ok(())
}

fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = if output.stdout.is_empty() {
        output.stderr
    } else {
        output.stdout
    };
    (output.status.success()).then(|| {
        String::from_utf8_lossy(&text)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

pub(crate) fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `major.minor` of a version string such as `rustc 1.95.0 (…)` or `v20.20.2`.
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let version = text
        .split_whitespace()
        .find(|word| {
            word.trim_start_matches('v')
                .starts_with(|c: char| c.is_ascii_digit())
        })?
        .trim_start_matches('v');
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn rust_version() -> String {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap_or_default();
    manifest
        .lines()
        .find_map(|line| {
            let rest = line.trim().strip_prefix("rust-version")?.trim_start();
            Some(rest.strip_prefix('=')?.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "stable".into())
}

fn check_rustc() -> Result<String, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let found = first_line(&rustc, &["--version"]).ok_or("no `rustc` on PATH")?;
    let wanted = rust_version();
    match (major_minor(&found), major_minor(&wanted)) {
        (Some(have), Some(need)) if have < need => Err(format!("{found}, older than {wanted}")),
        _ => Ok(found),
    }
}

fn check_wasm_target() -> Result<String, String> {
    // Works with or without rustup: the target's standard library is there or not.
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match libdir {
        Some(dir) if dir.is_dir() => Ok("installed".into()),
        _ => Err(format!(
            "the {WASM_TARGET} standard library is not installed"
        )),
    }
}

fn check_node() -> Result<String, String> {
    let found = first_line("node", &["--version"]).ok_or("no `node` on PATH")?;
    match major_minor(&found) {
        Some((major, _)) if major >= NODE_MAJOR => {
            let npm = first_line("npm", &["--version"]).ok_or("no `npm` on PATH")?;
            Ok(format!("{found}, npm {npm}"))
        }
        _ => Err(format!("{found}, older than {NODE_MAJOR}")),
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn check_npm_packages() -> Result<String, String> {
    let root = repo_root();
    let node_modules = root.join("node_modules");
    let missing: Vec<&str> = NPM_PACKAGES
        .iter()
        .filter(|(_, marker)| !node_modules.join(marker).exists())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(format!("not installed: {}", missing.join(", ")));
    }
    // npm records what it installed in node_modules/.package-lock.json.
    match (
        modified(&node_modules.join(".package-lock.json")),
        modified(&root.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) if installed < locked => {
            return Err("older than package-lock.json".into())
        }
        _ => {}
    }
    let wasm_opt = probe(node_modules.join(".bin").join("wasm-opt"), &["--version"])
        .ok_or("node_modules/.bin/wasm-opt does not run")?;
    let names: Vec<&str> = NPM_PACKAGES.iter().map(|(name, _)| *name).collect();
    Ok(format!("{} ({wasm_opt})", names.join(", ")))
}

fn browser_version(path: &str) -> Result<String, String> {
    let program = match path {
        CHROMIUM => std::env::var("CHROMIUM").unwrap_or_else(|_| path.into()),
        _ => std::env::var("CHROMEDRIVER").unwrap_or_else(|_| path.into()),
    };
    if !Path::new(&program).exists() {
        return Err(format!("{program} does not exist"));
    }
    first_line(&program, &["--version"]).ok_or_else(|| format!("{program} --version failed"))
}

fn install_chromium() -> Result<()> {
    apt_install(
        "Chromium and chromedriver",
        &["chromium", "chromium-driver"],
    )
}

/// The version in the root manifest's `wasm-bindgen = "=X"` (or `{ version = "=X" }`).
pub(crate) fn pinned_wasm_bindgen_version(manifest: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("wasm-bindgen")?.trim_start();
        let rest = rest.strip_prefix('=')?;
        let start = rest.find("\"=")? + 2;
        let len = rest[start..].find('"')?;
        Some(rest[start..start + len].trim().to_owned())
    })
}

fn pinned_version() -> String {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap_or_default();
    pinned_wasm_bindgen_version(&manifest).unwrap_or_else(|| "(unpinned)".into())
}

/// The wasm-bindgen on PATH or in `$CARGO_HOME/bin` that has the pinned version.
fn find_wasm_bindgen() -> Result<(PathBuf, String), String> {
    let pinned = pinned_version();
    let candidates = [
        Some(PathBuf::from("wasm-bindgen")),
        cargo_bin_dir().map(|d| d.join("wasm-bindgen")),
    ];
    let mut seen = Vec::new();
    for candidate in candidates.into_iter().flatten() {
        // `wasm-bindgen 0.2.130`
        let version = probe(&candidate, &["--version"])
            .and_then(|out| out.split_whitespace().nth(1).map(str::to_owned));
        match version {
            Some(version) if version == pinned => return Ok((candidate, version)),
            Some(other) => seen.push(format!("{} is {other}", candidate.display())),
            None => {}
        }
    }
    if seen.is_empty() {
        Err(format!("{pinned} is not installed"))
    } else {
        Err(format!("{pinned} is needed; {}", seen.join(", ")))
    }
}

fn install_wasm_bindgen() -> Result<()> {
    let pinned = pinned_version();
    println!("installing wasm-bindgen-cli {pinned} (takes a few minutes)");
    install(
        &format!("wasm-bindgen-cli {pinned}"),
        cargo_install(cargo, &["wasm-bindgen-cli", "--version", &pinned]),
        &format!("cargo install wasm-bindgen-cli --version {pinned}"),
    )
}

#[cfg(test)]
mod tests {
    use super::{major_minor, pinned_wasm_bindgen_version, prerequisites};

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

    #[test]
    fn reads_versions_as_tools_print_them() {
        assert_eq!(
            major_minor("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some((1, 95))
        );
        assert_eq!(major_minor("v20.20.2"), Some((20, 20)));
        assert_eq!(major_minor("1.85"), Some((1, 85)));
        assert_eq!(major_minor("no version here"), None);
    }

    #[test]
    fn every_prerequisite_has_a_unique_name_and_a_fix() {
        let all = prerequisites();
        for p in &all {
            assert!(!(p.fix)().is_empty(), "{} has no fix", p.name);
            assert_eq!(
                all.iter().filter(|q| q.name == p.name).count(),
                1,
                "{}",
                p.name
            );
        }
    }
}
