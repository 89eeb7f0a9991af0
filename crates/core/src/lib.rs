//! leadtrail's domain, shared by the wasm tracker and the collector.
//!
//! Everything here is pure (no I/O, no clock, no allocator tricks) so that the very same
//! normalisation runs in the visitor's browser and again on the server, where the values
//! arrive as hostile input. Keep it free of heavy dependencies: every byte that the tracker
//! uses ships to every page of every customer site.

//!
//! Without the default `std` feature the crate is `no_std` (with `alloc`) and holds only
//! what the tracker runs — touches, their normalisation and the wire contract — so that
//! the tracker can leave out std's panic and formatting machinery (the size
//! budget). The collector uses the default features and sees the whole crate.
//!
//! With the default `url` feature (native builds only), URLs the server reads — landing
//! pages, referrers, a post's `Referer` — are first serialised by the WHATWG URL parser,
//! as the browser serialises `location.href` and `document.referrer` before the tracker
//! reads them, so a URL gives the same touch on both sides ([`web_url`]).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod attribution;
pub mod bytes;
#[cfg(feature = "std")]
pub mod channel;
pub mod clean;
pub mod click_ids;
#[cfg(feature = "std")]
pub mod identity;
pub mod journey;
#[cfg(feature = "url")]
pub mod link;
pub mod query;
pub mod referrer;
pub mod touch;
#[cfg(feature = "url")]
pub mod web_url;
pub mod wire;

#[cfg(feature = "std")]
pub use attribution::{Attribution, TouchOrigin};
#[cfg(feature = "std")]
pub use channel::Channel;
#[cfg(feature = "url")]
pub use link::{build_link, BuiltLink, LinkError, LinkRequest, LinkWarning};
pub use touch::{Touch, TouchField, Visit, VisitKind};
