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
    /// A character that shows as nothing (a zero-width space, a soft hyphen, a direction
    /// override …): two addresses that look the same would be two persons.
    Invisible,
}

impl EmailError {
    pub const fn message(self) -> &'static str {
        match self {
            EmailError::Missing => "email is required",
            EmailError::TooLong => "email is longer than 254 characters",
            EmailError::Invalid => "email is not a valid e-mail address",
            EmailError::Invisible => {
                "email contains an invisible or formatting character (such as a zero-width \
                 space, a soft hyphen or a direction override)"
            }
        }
    }
}

/// A syntactically valid e-mail address. `as_given` keeps the submitter's spelling (in
/// Unicode's composed form, NFC); `key` is what persons are matched by: the local part in
/// compatibility form (NFKC: a fullwidth `ａ` is an `a`), lower-case, and the domain in
/// its IDNA form (`bücher.example` and `xn--bcher-kva.example` are one domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub as_given: String,
    pub key: String,
}

/// Characters that render as nothing or only steer rendering: Unicode's format characters
/// (general category Cf) and the other default-ignorable code points, besides controls.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{0600}'..='\u{0605}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{08E2}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

impl Email {
    /// Validates a submitted address: one `@`, a non-empty local part without spaces, and
    /// a domain with a dot and only letters, digits, `-` and `.` that IDNA accepts
    /// (internationalised domains as typed or in punycode); no invisible characters.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        use unicode_normalization::UnicodeNormalization;

        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Missing);
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        if trimmed.chars().any(is_invisible) {
            return Err(EmailError::Invisible);
        }
        let given: String = trimmed.nfc().collect();
        let (local, domain) = given.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !"<>()[]\\,;:\"".contains(c));
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
        let ascii_domain = idna::domain_to_ascii(domain).map_err(|_| EmailError::Invalid)?;
        let ascii_ok = ascii_domain.contains('.')
            && ascii_domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if !ascii_ok {
            return Err(EmailError::Invalid);
        }
        let local_key: String = local.nfkc().collect::<String>().to_lowercase();
        let key = format!("{local_key}@{ascii_domain}");
        if key.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        Ok(Email {
            as_given: given.clone(),
            key,
        })
    }

    /// The domain part, lower-case, in its IDNA (ASCII) form.
    pub fn domain(&self) -> &str {
        self.key.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }
}

/// A domain in its IDNA (ASCII, punycode) form, lower-case; `None` when IDNA refuses it.
pub fn ascii_domain(domain: &str) -> Option<String> {
    idna::domain_to_ascii(domain).ok().filter(|d| !d.is_empty())
}

/// True when a label of `domain` mixes writing systems the way look-alike domains do
/// (`acmе.example` with a Cyrillic `е`): more than one script in one label, besides the
/// combinations a language writes with (Japanese, Chinese, Korean with Latin). Digits and
/// hyphens belong to every script. `domain` may be in punycode.
pub fn domain_mixes_scripts(domain: &str) -> bool {
    use unicode_script::{Script, UnicodeScript};

    const WRITTEN_TOGETHER: [&[Script]; 3] = [
        &[
            Script::Latin,
            Script::Han,
            Script::Hiragana,
            Script::Katakana,
        ],
        &[Script::Latin, Script::Han, Script::Bopomofo],
        &[Script::Latin, Script::Han, Script::Hangul],
    ];
    let (unicode, _) = idna::domain_to_unicode(domain);
    unicode.split('.').any(|label| {
        let mut scripts: Vec<Script> = Vec::new();
        for c in label.chars() {
            let script = c.script();
            if !matches!(script, Script::Common | Script::Inherited | Script::Unknown)
                && !scripts.contains(&script)
            {
                scripts.push(script);
            }
        }
        scripts.len() > 1
            && !WRITTEN_TOGETHER
                .iter()
                .any(|allowed| scripts.iter().all(|s| allowed.contains(s)))
    })
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
pub(crate) fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL_DOMAINS.contains(&domain)
}

/// How a company is identified: by its normalised name when the form says it, else by the
/// e-mail's domain (in its IDNA form, so that one domain is one company however typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyIdentity {
    /// The name to show: the form's company field as typed (cleaned), else the domain in
    /// Unicode.
    pub display_name: String,
    /// Matching key: lower-case, inner white space collapsed.
    pub key: String,
    /// The e-mail domain, when it is a company's own (IDNA form).
    pub domain: Option<String>,
    /// The domain mixes scripts like a look-alike of another domain does.
    pub domain_mixes_scripts: bool,
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
            let domain_mixes_scripts = own_domain.as_deref().is_some_and(domain_mixes_scripts);
            return Some(CompanyIdentity {
                display_name: name,
                key,
                domain: own_domain,
                domain_mixes_scripts,
            });
        }
        let domain = own_domain?;
        Some(CompanyIdentity {
            display_name: idna::domain_to_unicode(&domain).0,
            key: domain.clone(),
            domain_mixes_scripts: domain_mixes_scripts(&domain),
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

    /// Spellings that look like `josé@bücher.example` (or are it, written otherwise).
    #[test]
    fn one_address_however_it_is_written() {
        let plain = Email::parse("josé@bücher.example").unwrap();
        assert_eq!(plain.key, "josé@xn--bcher-kva.example");
        for same in [
            "jose\u{301}@bücher.example",      // NFD: e + combining acute
            "josé@xn--bcher-kva.example",      // punycode domain
            "JOSÉ@BÜCHER.EXAMPLE",             // case
            "jos\u{e9}@bu\u{308}cher.example", // NFD domain
        ] {
            assert_eq!(Email::parse(same).unwrap().key, plain.key, "{same}");
        }
        // Fullwidth letters are their plain letters.
        assert_eq!(
            Email::parse("\u{FF41}da@acme.example").unwrap().key,
            "ada@acme.example"
        );
        assert_eq!(
            Email::parse("ada@\u{FF41}cme.example").unwrap().key,
            "ada@acme.example"
        );
        // The composed spelling is kept as given.
        assert_eq!(
            Email::parse("jose\u{301}@acme.example").unwrap().as_given,
            "jos\u{e9}@acme.example"
        );
    }

    #[test]
    fn invisible_characters_are_refused() {
        for bad in [
            "ada\u{200B}@acme.example", // zero-width space
            "ada\u{00AD}@acme.example", // soft hyphen
            "ada\u{202E}@acme.example", // right-to-left override
            "ada@acme\u{2060}.example", // word joiner
            "\u{FEFF}ada@acme.example", // byte-order mark
            "ada\u{FE0F}@acme.example", // variation selector
            "ada\u{0}@acme.example",    // control
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invisible), "{bad:?}");
        }
    }

    #[test]
    fn domains_that_imitate_others_are_told() {
        // A Cyrillic е in a Latin name.
        assert!(domain_mixes_scripts("acm\u{435}.example"));
        assert!(domain_mixes_scripts(
            &idna::domain_to_ascii("acm\u{435}.example").unwrap()
        ));
        for fine in [
            "acme.example",
            "bücher.example",
            "пример.рф",
            "日本語テキスト.jp",
            "ソニーabc.jp",
            "acme-2024.example",
        ] {
            assert!(!domain_mixes_scripts(fine), "{fine}");
        }
        let email = Email::parse("ola@acm\u{435}.example").unwrap();
        let company = CompanyIdentity::of(None, &email).unwrap();
        assert!(company.domain_mixes_scripts);
        assert_eq!(
            company.key,
            idna::domain_to_ascii("acm\u{435}.example").unwrap()
        );
        assert_eq!(company.display_name, "acm\u{435}.example");
        // A look-alike is a different company from the real one, and flagged.
        let real = CompanyIdentity::of(None, &Email::parse("ola@acme.example").unwrap()).unwrap();
        assert_ne!(real.key, company.key);
        assert!(!real.domain_mixes_scripts);
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
