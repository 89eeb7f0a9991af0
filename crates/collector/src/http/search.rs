//! API routes of criteria search and selections (issue 3).
//! Registered inside the token-protected `/api/v1` scope.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
