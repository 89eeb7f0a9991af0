//! The wire contract between the tracker and the collector: hidden form-field names and
//! browser-storage keys. Defined once here; docs/tracker.md documents it for integrators.
//!
//! Each of the two touches travels as one hidden field per touch field, prefixed so that
//! it never clashes with a site's own fields: `lt_first_source`, `lt_last_campaign`, ….

use alloc::string::String;

use crate::touch::{Touch, TouchField};

/// Prefix of every field the tracker adds; the collector keeps such fields out of the
/// submission's payload.
pub(crate) const PREFIX: &str = "lt_";
/// Carries the contract's version, so that the collector can read older trackers.
pub const VERSION_FIELD: &str = "lt_v";
pub const VERSION: &str = "1";
/// Carries the journey (core's `journey` encoding) in one field.
pub const JOURNEY_FIELD: &str = "lt_journey";

/// The link parameter that carries the touches to another of the site's domains: a token
/// the collector signed (`POST /t/link`).
pub const LINK_PARAM: &str = "lt_link";

/// localStorage key of the first interaction (written once, never overwritten).
pub const STORAGE_FIRST: &str = "leadtrail.first";
/// localStorage key of the last non-direct touch.
pub const STORAGE_LAST: &str = "leadtrail.last";
/// localStorage key of the journey: the touches in order, in the `lt_journey` encoding.
pub const STORAGE_JOURNEY: &str = "leadtrail.journey";
/// localStorage key that, when set to `"1"`, turns the tracker off for this browser.
pub const STORAGE_OPT_OUT: &str = "leadtrail.opt_out";

/// Which of the two touches a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The first interaction ever seen in this browser.
    First,
    /// The latest campaign touch: the one that brought the visitor to submit.
    Last,
}

impl Slot {
    pub const fn prefix(self) -> &'static str {
        match self {
            Slot::First => "lt_first_",
            Slot::Last => "lt_last_",
        }
    }
}

/// The hidden field name of one touch field: `lt_first_source`.
pub(crate) fn field_name(slot: Slot, field: TouchField) -> String {
    let mut name = String::with_capacity(24);
    name.push_str(slot.prefix());
    name.push_str(field.name());
    name
}

/// True for fields that belong to the contract (and not to the site's form).
pub fn is_contract_field(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// The `(field name, value)` pairs that carry `touch` in `slot`.
pub fn touch_fields(slot: Slot, touch: &Touch) -> impl Iterator<Item = (String, String)> + '_ {
    TouchField::ALL.into_iter().filter_map(move |field| {
        touch
            .get(field)
            .map(|value| (field_name(slot, field), value))
    })
}

/// Reads the touch in `slot` from submitted fields, cleaning every value. `None` when the
/// submission carries no field of that slot.
pub fn read_touch<'a>(
    slot: Slot,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<Touch> {
    let prefix = slot.prefix();
    let touch = Touch::from_pairs(
        fields
            .into_iter()
            .filter_map(|(name, value)| name.strip_prefix(prefix).map(|f| (f, value))),
    );
    (!touch.is_empty()).then_some(touch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Visit;

    #[test]
    fn fields_round_trip_through_the_wire() {
        let v = Visit::read(
            "https://a.example/?utm_source=facebook&utm_medium=paid_social&fbclid=IwAR",
            "",
            Some(5),
        );
        let fields: Vec<(String, String)> = touch_fields(Slot::Last, &v.touch).collect();
        assert!(fields.iter().all(|(name, _)| is_contract_field(name)));
        assert!(fields.contains(&("lt_last_source".to_owned(), "facebook".to_owned())));
        let back = read_touch(
            Slot::Last,
            fields.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        );
        assert_eq!(back, Some(v.touch));
        assert_eq!(
            read_touch(
                Slot::First,
                fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
            ),
            None
        );
    }
}
