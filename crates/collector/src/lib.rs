//! leadtrail's collector: receives form posts, attributes them by the seed's rules, stores
//! them in SQLite, and serves the tracker, the demo site, the dashboard and the JSON API.

pub mod accounts;
pub mod commands;
pub mod config;
pub mod http;
pub mod store;
