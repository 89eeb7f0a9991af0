//! Command-line subcommands beyond `serve` and `token` (one module each).
pub mod demo_data;
pub mod import;
pub mod links;
