//! Command-line subcommands beyond `serve` (one module each).
pub mod accounts;
pub mod demo_data;
pub mod import;
pub mod links;
