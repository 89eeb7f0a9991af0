//! Third-party browser files the collector serves under `/vendor/` (the dashboard's chart
//! library, Apache ECharts; Swagger UI for the API reference at /api/docs), copied from
//! `node_modules` (installed by npm from package.json) into `target/leadtrail-vendor/`,
//! which the collector embeds. None of it is committed.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::util::repo_root;

/// `(file under node_modules, name served under /vendor/)`.
const FILES: &[(&str, &str)] = &[
    ("echarts/dist/echarts.min.js", "echarts.min.js"),
    // The API reference at /api/docs.
    (
        "swagger-ui-dist/swagger-ui-bundle.js",
        "swagger-ui-bundle.js",
    ),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
];

pub(crate) fn vendor_dir() -> PathBuf {
    repo_root().join("target").join("leadtrail-vendor")
}

/// Copies the vendor files, rewriting only those that changed (an unchanged folder keeps
/// the collector's release build from re-embedding and re-linking).
pub(crate) fn copy() -> Result<()> {
    let root = repo_root();
    let out = vendor_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (from, to) in FILES {
        let source = root.join("node_modules").join(from);
        if !source.is_file() {
            bail!(
                "{} is missing; run `npm ci` (or `cargo xtask ensure-tools`) to install the npm packages",
                source.display()
            );
        }
        let bytes =
            std::fs::read(&source).with_context(|| format!("cannot read {}", source.display()))?;
        let target = out.join(to);
        if std::fs::read(&target).ok().as_deref() != Some(&bytes[..]) {
            std::fs::write(&target, &bytes)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
    }
    Ok(())
}
