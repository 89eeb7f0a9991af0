//! API routes of dashboard tiles and dashboards (issue 4).
//! Registered inside the token-protected `/api/v1` scope.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
