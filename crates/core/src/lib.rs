//! leadtrail's domain, shared by the wasm tracker and the collector.
//!
//! Everything here is pure (no I/O, no clock, no allocator tricks) so that the very same
//! normalisation runs in the visitor's browser and again on the server, where the values
//! arrive as hostile input. Keep it free of heavy dependencies: every byte that the tracker
//! uses ships to every page of every customer site.

pub mod attribution;
pub mod channel;
pub mod clean;
pub mod click_ids;
pub mod identity;
pub mod link;
pub mod query;
pub mod referrer;
pub mod touch;
pub mod wire;

pub use attribution::{Attribution, TouchOrigin};
pub use channel::{classify, Channel, ChannelDecision};
pub use link::{build_link, BuiltLink, LinkError, LinkRequest, LinkWarning};
pub use touch::{Touch, TouchField, Visit, VisitKind};
