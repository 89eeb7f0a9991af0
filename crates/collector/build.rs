//! Prepares the folders the collector embeds (see `src/http/assets.rs`).
//!
//! The tracker folder is a build output of another crate, so it may not exist yet on a
//! fresh clone: it is created empty (the collector then answers 404 for the tracker with
//! a hint). Both folders are watched, so a release build re-embeds them when a file in
//! them changes; debug builds read them from disk at request time anyway.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let repo = manifest_dir.join("../..");
    let tracker = repo.join("target/leadtrail-tracker");
    if let Err(e) = std::fs::create_dir_all(&tracker) {
        println!("cargo::warning=cannot create {}: {e}", tracker.display());
    }
    let vendor = repo.join("target/leadtrail-vendor");
    if let Err(e) = std::fs::create_dir_all(&vendor) {
        println!("cargo::warning=cannot create {}: {e}", vendor.display());
    }
    println!("cargo::rerun-if-changed={}", vendor.display());
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", tracker.display());
    // Watched even while missing: cargo then re-runs this script until it appears.
    println!("cargo::rerun-if-changed={}", repo.join("www").display());
}
