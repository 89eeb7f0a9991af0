//! What the command line and the API both do, below both: reading a submission's JSON,
//! explaining a visit, checking a link, reclassifying stored touches, and the JSON shapes
//! both print. Nothing here knows actix or SQL: it works on the store's traits and types.

pub(crate) mod explain;
pub(crate) mod json;
pub(crate) mod link_check;
mod reach;
pub(crate) mod reclassify;
pub(crate) mod submission_input;
