//! API routes of working the leads: status, owners, sales, consent, export, erasure (issue 3).
//! Registered inside the token-protected `/api/v1` scope.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
