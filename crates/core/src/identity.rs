//! How submissions are matched to persons and companies: e-mail validation and
//! normalisation, and the company a new person belongs to.

use crate::clean::clean_text;

/// Longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest company or person name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// Why an e-mail address was refused; shown to the submitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Missing,
    TooLong,
    Invalid,
}

impl EmailError {
    pub const fn message(self) -> &'static str {
        match self {
            EmailError::Missing => "email is required",
            EmailError::TooLong => "email is longer than 254 characters",
            EmailError::Invalid => "email is not a valid e-mail address",
        }
    }
}

/// A syntactically valid e-mail address. `as_given` keeps the submitter's spelling;
/// `key` is the lower-case form persons are matched by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub as_given: String,
    pub key: String,
}

impl Email {
    /// Validates a submitted address: one `@`, a non-empty local part without spaces, and
    /// a domain with a dot and only letters, digits, `-` and `.` (IDN as typed is allowed).
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Missing);
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"".contains(c));
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !local_ok || !domain_ok {
            return Err(EmailError::Invalid);
        }
        Ok(Email {
            as_given: trimmed.to_owned(),
            key: trimmed.to_lowercase(),
        })
    }

    /// The domain part, lower-case.
    pub fn domain(&self) -> &str {
        self.key.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// Domains of free and consumer mail services: a person with such an address does not
/// tell us their company.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "hotmail.de",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "t-online.de",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "tutanota.com",
    "zoho.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "online.no",
    "live.no",
    "hotmail.no",
    "ziggo.nl",
    "kpnmail.nl",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "fastmail.com",
    "hey.com",
    "example.com",
];

/// True when `domain` belongs to a free or consumer mail service.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL_DOMAINS.contains(&domain)
}

/// How a company is identified: by its normalised name when the form says it, else by the
/// e-mail's domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyIdentity {
    /// The name to show: the form's company field as typed (cleaned), else the domain.
    pub display_name: String,
    /// Matching key: lower-case, inner white space collapsed.
    pub key: String,
    /// The e-mail domain, when it is a company's own.
    pub domain: Option<String>,
}

impl CompanyIdentity {
    /// The company of a submission, if one can be told: the company field wins, else a
    /// non-free-mail e-mail domain; `None` for a private person with a free-mail address.
    pub fn of(company_field: Option<&str>, email: &Email) -> Option<CompanyIdentity> {
        let own_domain = Some(email.domain())
            .filter(|d| !d.is_empty() && !is_free_mail(d))
            .map(str::to_owned);
        if let Some(name) = company_field.and_then(|raw| clean_text(raw, MAX_NAME_CHARS)) {
            let key = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            return Some(CompanyIdentity {
                display_name: name,
                key,
                domain: own_domain,
            });
        }
        let domain = own_domain?;
        Some(CompanyIdentity {
            display_name: domain.clone(),
            key: domain.clone(),
            domain: Some(domain),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_validated_and_keyed_case_insensitively() {
        let e = Email::parse("  Ada.Lovelace@Example.ORG ").unwrap();
        assert_eq!(e.as_given, "Ada.Lovelace@Example.ORG");
        assert_eq!(e.key, "ada.lovelace@example.org");
        assert_eq!(e.domain(), "example.org");
        assert_eq!(Email::parse(""), Err(EmailError::Missing));
        for bad in [
            "ada",
            "ada@",
            "@x.org",
            "ada@x",
            "a b@x.org",
            "ada@x..org",
            "ada@-x.org",
            "<a>@x.org",
            "a@b@c.org",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
        assert_eq!(
            Email::parse(&format!("{}@x.org", "a".repeat(300))),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn company_from_field_or_domain() {
        let work = Email::parse("ola@acme.no").unwrap();
        let free = Email::parse("ola@gmail.com").unwrap();
        let c = CompanyIdentity::of(Some("  Acme   AS "), &work).unwrap();
        assert_eq!(
            (c.display_name.as_str(), c.key.as_str(), c.domain.as_deref()),
            ("Acme   AS", "acme as", Some("acme.no"))
        );
        let c = CompanyIdentity::of(None, &work).unwrap();
        assert_eq!(
            (c.key.as_str(), c.domain.as_deref()),
            ("acme.no", Some("acme.no"))
        );
        assert_eq!(CompanyIdentity::of(None, &free), None);
        assert_eq!(CompanyIdentity::of(Some(" "), &free), None);
        assert_eq!(
            CompanyIdentity::of(Some("Acme"), &free).unwrap().domain,
            None
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(raw in any::<String>()) {
            if let Ok(e) = Email::parse(&raw) {
                prop_assert_eq!(e.key.to_lowercase(), e.key.clone());
                prop_assert!(e.key.contains('@'));
            }
        }
    }
}
