//! The attribution rules: which touch is stored where when a form is submitted.

use crate::touch::{Touch, DIRECT_MEDIUM, UNTRACKED_SOURCE};

/// Where the touches of a submission came from, kept with the submission for audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum TouchOrigin {
    /// Hidden fields added by the tracker.
    Tracker,
    /// Derived on the server from the post's `Referer` (no tracker on the page).
    RefererHeader,
    /// Given explicitly through the API (server-side submissions, imports).
    Api,
}

/// The touch of a post without any tracker fields, read from its `Referer`: when that says
/// nothing about how the visitor came (missing, not a URL, or a page without campaign
/// parameters or a click id), the tag was missing where the form was — a page without the
/// script, a form in a shadow root or an iframe, a script posting JSON without
/// `attribution()` — and the touch is `(untracked) / (none)`, channel Untracked, not Direct.
pub fn untracked_if_direct(mut touch: Touch) -> Touch {
    if touch.is_direct() {
        touch.source = Some(UNTRACKED_SOURCE.to_owned());
        touch.medium = Some(DIRECT_MEDIUM.to_owned());
    }
    touch
}

/// What a submission writes, by the table of the four data points. It points at the
/// touches it was given rather than copying them: the single writer thread decides this
/// for every form post, and each copy of a touch is a dozen allocations there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution<'t> {
    /// Stored on a new person only.
    pub first_interaction: Option<&'t Touch>,
    /// Stored on a new person only.
    pub lead_generation: Option<&'t Touch>,
    /// Stored on every submission.
    pub conversion: &'t Touch,
    /// Stored on a company created together with a new person.
    pub company_source: Option<&'t Touch>,
}

impl<'t> Attribution<'t> {
    /// Applies the rules. `first` is the browser's first interaction (if it sent one),
    /// `current` the touch that led to this submission. First interaction, lead generation
    /// and company source are only for new records: an existing person or company never
    /// changes, whatever it submits later.
    pub fn decide(
        first: Option<&'t Touch>,
        current: &'t Touch,
        person_is_new: bool,
        company_is_new: bool,
    ) -> Attribution<'t> {
        let (first_interaction, lead_generation) = if person_is_new {
            (Some(first.unwrap_or(current)), Some(current))
        } else {
            (None, None)
        };
        let company_source = (person_is_new && company_is_new).then_some(current);
        Attribution {
            first_interaction,
            lead_generation,
            conversion: current,
            company_source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_that_says_nothing_is_untracked_not_direct() {
        use crate::touch::Visit;
        for referer in ["", "not a url", "https://acme.example/contact"] {
            let touch = untracked_if_direct(Visit::read(referer, "", None).touch);
            assert_eq!(touch.source.as_deref(), Some(UNTRACKED_SOURCE), "{referer}");
            assert_eq!(crate::channel::classify(&touch).channel.id(), "untracked");
        }
        let tagged = Visit::read("https://acme.example/?utm_source=newsletter", "", None).touch;
        assert_eq!(untracked_if_direct(tagged.clone()), tagged);
        let clicked = Visit::read("https://acme.example/?gclid=x", "", None).touch;
        assert_eq!(untracked_if_direct(clicked.clone()), clicked);
    }

    fn touch(source: &str) -> Touch {
        Touch {
            source: Some(source.into()),
            ..Touch::default()
        }
    }

    #[test]
    fn new_person_gets_first_interaction_and_lead_generation() {
        let (linkedin, facebook) = (touch("linkedin"), touch("facebook"));
        let a = Attribution::decide(Some(&linkedin), &facebook, true, true);
        assert_eq!(a.first_interaction, Some(&linkedin));
        assert_eq!(a.lead_generation, Some(&facebook));
        assert_eq!(a.conversion, &facebook);
        assert_eq!(a.company_source, Some(&facebook));
    }

    #[test]
    fn without_a_remembered_first_touch_the_current_one_is_first() {
        let google = touch("google");
        let a = Attribution::decide(None, &google, true, false);
        assert_eq!(a.first_interaction, Some(&google));
        assert_eq!(a.company_source, None);
    }

    #[test]
    fn existing_person_only_gets_a_conversion() {
        let (linkedin, newsletter) = (touch("linkedin"), touch("newsletter"));
        let a = Attribution::decide(Some(&linkedin), &newsletter, false, true);
        assert_eq!(
            (a.first_interaction, a.lead_generation, a.company_source),
            (None, None, None)
        );
        assert_eq!(a.conversion, &newsletter);
    }
}
