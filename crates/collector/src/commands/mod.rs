//! Command-line subcommands beyond `serve` (one module each).
pub(crate) mod accounts;
pub(crate) mod backup;
pub(crate) mod costs;
pub(crate) mod demo_data;
pub(crate) mod import;
pub(crate) mod links;
pub(crate) mod restore;
