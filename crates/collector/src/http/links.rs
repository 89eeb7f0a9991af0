//! API routes of campaign links, aliases and channel explanations (issue 5).
//! Registered inside the token-protected `/api/v1` scope.
use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
