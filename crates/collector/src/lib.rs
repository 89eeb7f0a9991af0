//! leadtrail's collector: receives form posts, attributes them (first interaction, lead
//! generation, conversion, company source), stores them in SQLite, and serves the
//! tracker, the demo site, the dashboard and the JSON API.
//!
//! The library's public face is the command line ([`cli`], which the binary runs) and the
//! few items the fuzz targets and the docs test use ([`fuzzing`], [`Settings`]);
//! everything else is `pub(crate)`.

pub(crate) mod accounts;
pub(crate) mod attribution;
pub mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod http;
pub(crate) mod ops;
pub(crate) mod refusal;
pub(crate) mod store;
pub(crate) mod time;

pub use config::Settings;

/// What the fuzz targets (`fuzz/`) drive: the form body parsers and the search criteria.
pub mod fuzzing {
    pub use crate::http::form::{
        build_submission, parse_json, parse_urlencoded, safe_redirect, MAX_FIELDS,
        MAX_FIELD_NAME_CHARS,
    };
    pub use crate::store::search::{Criteria, Entity};
}
