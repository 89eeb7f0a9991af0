//! The collector's settings and where they come from.
//!
//! Precedence, highest first: command-line flags, `LEADTRAIL_*` environment variables, a
//! TOML config file (`--config FILE` or `LEADTRAIL_CONFIG`), built-in defaults. Loading
//! takes the environment as an argument rather than reading the process's, so the whole
//! precedence chain is unit-tested without touching global state.

use std::path::PathBuf;

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Prefix of every environment variable the collector reads.
pub(crate) const ENV_PREFIX: &str = "LEADTRAIL_";
/// Environment variable naming the config file (the `--config` flag wins over it).
pub(crate) const ENV_CONFIG: &str = "LEADTRAIL_CONFIG";

/// Default cap on a form post's body: generous for any real form, small enough that a
/// flood of large posts cannot exhaust memory.
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Bounds on `max_body_bytes`: below 1 KiB real forms with hidden fields no longer fit;
/// above 16 MiB the collector is being used as a file store, which it is not.
const MIN_BODY_BYTES: usize = 1024;
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Default per-address rate of form posts: far above what a person filling forms can do
/// (one a second, sustained), low enough that one address cannot flood the database.
pub(crate) const DEFAULT_FORM_POSTS_PER_MINUTE: u32 = 60;
/// Default burst: a page with several forms, or an office behind one address.
pub(crate) const DEFAULT_FORM_POST_BURST: u32 = 60;

/// Settings of `leadtrail serve` (and the database path of `leadtrail token create`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The SQLite database file; created when missing.
    pub db: PathBuf,
    /// `HOST:PORT` to listen on; port 0 picks a free port.
    pub addr: String,
    /// A fixed API token (in addition to tokens minted by `leadtrail token create`).
    pub api_token: Option<String>,
    /// Largest accepted form-post body, in bytes (after content decoding).
    pub max_body_bytes: usize,
    /// IANA time zone (e.g. `Europe/Oslo`) in which the dashboards' days and default
    /// period (year to date) are counted.
    pub time_zone: String,
    /// Form posts one client address may make per minute, sustained; 0 turns the limit
    /// off (behind a reverse proxy every client has the proxy's address: limit there).
    pub form_posts_per_minute: u32,
    /// Form posts one address may make at once before the per-minute rate applies.
    pub form_post_burst: u32,
    /// Origins (`https://www.example.com`) whose pages may post forms; empty means any.
    /// Browsers send `Origin` with every post; a post without one (a server, curl) is
    /// not a browser's and is let through, as no header can stop a non-browser client.
    pub allowed_origins: Vec<String>,
    /// Hosts the link check may reach although they resolve to private addresses
    /// (intranet sites): `wiki.corp.example`, or `.corp.example` for every host below it.
    /// Every other host must resolve to public addresses only.
    #[serde(default)]
    pub link_check_allowed_hosts: Vec<String>,
    /// The shape campaign names should have (link builder warnings), e.g.
    /// `{yyyy}_{mm}_{name}`; syntax in leadtrail_core::link. Checked at start-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_template: Option<String>,
    /// Which consent statements a form may make, per form key: `KEY=none`, `KEY=give` or
    /// `KEY=give_and_withdraw` (a preference centre). Others follow
    /// `form_consent_default`.
    #[serde(default)]
    pub form_consent: Vec<String>,
    /// The consent policy of forms not named in `form_consent` (new forms included):
    /// `give` — an opt-in box records consent, no public form withdraws it.
    #[serde(default = "default_form_consent")]
    pub form_consent_default: String,
    /// A session ends after this long without a request (`12h`, `30m`, `90s`, `2d`).
    #[serde(default = "default_session_idle")]
    pub session_idle: String,
    /// A session ends this long after sign-in, however active.
    #[serde(default = "default_session_lifetime")]
    pub session_lifetime: String,
    /// The `time_decay` attribution model's half-life (`7d`, `36h`): a touch this long
    /// before the lead counts half as much as the lead-generation touch.
    #[serde(default = "default_attribution_half_life")]
    pub attribution_half_life: String,
    /// `serve` takes a backup this often (`24h`); none when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_every: Option<String>,
    /// How many scheduled backups to keep (the newest); older ones are deleted.
    #[serde(default = "default_backup_keep")]
    pub backup_keep: u32,
    /// Where scheduled backups go; required with `backup_every`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_dir: Option<PathBuf>,
}

fn default_backup_keep() -> u32 {
    7
}

fn default_form_consent() -> String {
    "give".to_owned()
}

fn default_session_idle() -> String {
    "12h".to_owned()
}

fn default_session_lifetime() -> String {
    "30d".to_owned()
}

fn default_attribution_half_life() -> String {
    "7d".to_owned()
}

/// `90s`, `30m`, `12h`, `30d` → seconds; anything else is refused.
pub(crate) fn parse_duration_secs(text: &str) -> Option<u64> {
    let text = text.trim();
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let number: u64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    number.checked_mul(factor).filter(|secs| *secs > 0)
}

impl Settings {
    /// Each form's consent policy (the values were checked when the settings were loaded).
    pub(crate) fn form_consent(&self) -> crate::store::leads::FormConsent {
        use crate::store::leads::{ConsentPolicy, FormConsent};
        FormConsent {
            default: ConsentPolicy::parse(&self.form_consent_default).unwrap_or_default(),
            forms: self
                .form_consent
                .iter()
                .filter_map(|entry| {
                    let (key, policy) = entry.split_once('=')?;
                    Some((key.trim().to_owned(), ConsentPolicy::parse(policy)?))
                })
                .collect(),
        }
    }

    /// `time_decay`'s half-life in milliseconds (checked when the settings were loaded).
    pub(crate) fn attribution_half_life_ms(&self) -> i64 {
        parse_duration_secs(&self.attribution_half_life)
            .and_then(|secs| i64::try_from(secs.saturating_mul(1000)).ok())
            .unwrap_or(crate::attribution::DEFAULT_HALF_LIFE_MS)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db: PathBuf::from("leadtrail.db"),
            addr: "127.0.0.1:8080".to_owned(),
            api_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            time_zone: "UTC".to_owned(),
            form_posts_per_minute: DEFAULT_FORM_POSTS_PER_MINUTE,
            form_post_burst: DEFAULT_FORM_POST_BURST,
            allowed_origins: Vec::new(),
            link_check_allowed_hosts: Vec::new(),
            form_consent: Vec::new(),
            form_consent_default: default_form_consent(),
            campaign_template: None,
            session_idle: default_session_idle(),
            session_lifetime: default_session_lifetime(),
            attribution_half_life: default_attribution_half_life(),
            backup_every: None,
            backup_keep: default_backup_keep(),
            backup_dir: None,
        }
    }
}

/// Values given on the command line; `None` means "not given, ask the next layer".
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Overrides {
    #[serde(skip)]
    pub(crate) config: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) db: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) addr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_body_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) form_posts_per_minute: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) form_post_burst: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backup_every: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backup_keep: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) backup_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error("config file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid settings: {0}")]
    Invalid(String),
    #[error("{0}")]
    Figment(#[from] Box<figment::Error>),
}

/// Settings whose environment values are taken as text verbatim: a token such as
/// `123456` must stay a string, not become a number.
const TEXT_KEYS: [&str; 11] = [
    "form_consent_default",
    "attribution_half_life",
    "backup_every",
    "backup_dir",
    "db",
    "addr",
    "api_token",
    "time_zone",
    "campaign_template",
    "session_idle",
    "session_lifetime",
];
/// Settings whose environment values are parsed (numbers, booleans).
const PARSED_KEYS: [&str; 4] = [
    "max_body_bytes",
    "form_posts_per_minute",
    "form_post_burst",
    "backup_keep",
];
/// Settings whose environment values are comma-separated lists.
const LIST_KEYS: [&str; 3] = [
    "allowed_origins",
    "link_check_allowed_hosts",
    "form_consent",
];

/// The `LEADTRAIL_*` variables that name settings, as a figment dictionary. Other
/// variables (including unknown `LEADTRAIL_*` ones such as `LEADTRAIL_LOG`) are ignored,
/// and an empty variable counts as unset, as shells make it easy to export one by mistake.
fn env_layer(env: &[(String, String)]) -> Dict {
    let mut dict = Dict::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if value.trim().is_empty() {
            continue;
        }
        if TEXT_KEYS.contains(&key.as_str()) {
            dict.insert(key, Value::from(value.clone()));
        } else if PARSED_KEYS.contains(&key.as_str()) {
            let parsed: Value = value.trim().parse().unwrap_or_else(|e| match e {});
            dict.insert(key, parsed);
        } else if LIST_KEYS.contains(&key.as_str()) {
            let items: Vec<Value> = value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(Value::from)
                .collect();
            dict.insert(key, Value::from(items));
        }
    }
    dict
}

/// Resolves the settings from the command line, the given environment and the config file.
pub(crate) fn load(
    overrides: &Overrides,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Settings, ConfigError> {
    let env: Vec<(String, String)> = env.into_iter().collect();
    let config_file = overrides.config.clone().or_else(|| {
        env.iter()
            .find(|(name, value)| name == ENV_CONFIG && !value.trim().is_empty())
            .map(|(_, value)| PathBuf::from(value))
    });
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    if let Some(path) = &config_file {
        if !path.is_file() {
            return Err(ConfigError::MissingFile(path.clone()));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    let settings: Settings = figment
        .merge(Serialized::defaults(env_layer(&env)))
        .merge(Serialized::defaults(overrides))
        .extract()
        .map_err(Box::new)?;
    settings.validated()
}

impl Settings {
    fn validated(mut self) -> Result<Settings, ConfigError> {
        if let Some(template) = &self.campaign_template {
            leadtrail_core::link::CampaignTemplate::parse(template)
                .map_err(|e| ConfigError::Invalid(format!("campaign_template: {e}")))?;
        }
        if !(MIN_BODY_BYTES..=MAX_BODY_BYTES).contains(&self.max_body_bytes) {
            return Err(ConfigError::Invalid(format!(
                "max_body_bytes must be between {MIN_BODY_BYTES} and {MAX_BODY_BYTES}, not {}",
                self.max_body_bytes
            )));
        }
        if self.form_posts_per_minute > 0 && self.form_post_burst == 0 {
            return Err(ConfigError::Invalid(
                "form_post_burst must be at least 1 while form_posts_per_minute is set".to_owned(),
            ));
        }
        self.allowed_origins = self
            .allowed_origins
            .into_iter()
            .map(|origin| normalise_origin(&origin))
            .collect::<Result<_, _>>()?;
        if self.addr.trim().is_empty() {
            return Err(ConfigError::Invalid("addr must be HOST:PORT".to_owned()));
        }
        self.time_zone = self.time_zone.trim().to_owned();
        if let Err(e) = jiff::tz::TimeZone::get(&self.time_zone) {
            return Err(ConfigError::Invalid(format!(
                "time_zone {:?} is not a known IANA time zone: {e}",
                self.time_zone
            )));
        }
        for (name, value) in [
            ("session_idle", &self.session_idle),
            ("session_lifetime", &self.session_lifetime),
            ("attribution_half_life", &self.attribution_half_life),
        ] {
            if parse_duration_secs(value).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "{name} must be a duration such as 90s, 30m, 12h or 30d, not {value:?}"
                )));
            }
        }
        if let Some(every) = &self.backup_every {
            if parse_duration_secs(every).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "backup_every must be a duration such as 30m, 12h or 1d, not {every:?}"
                )));
            }
            if self.backup_dir.is_none() {
                return Err(ConfigError::Invalid(
                    "backup_every needs backup_dir: the directory the backups go to".to_owned(),
                ));
            }
        }
        if self.backup_keep == 0 {
            return Err(ConfigError::Invalid(
                "backup_keep must be at least 1".to_owned(),
            ));
        }
        let policies = "none, give or give_and_withdraw";
        if crate::store::leads::ConsentPolicy::parse(&self.form_consent_default).is_none() {
            return Err(ConfigError::Invalid(format!(
                "form_consent_default must be {policies}, not {:?}",
                self.form_consent_default
            )));
        }
        for entry in &self.form_consent {
            let valid = entry.split_once('=').is_some_and(|(key, policy)| {
                crate::store::is_valid_form_key(key.trim())
                    && crate::store::leads::ConsentPolicy::parse(policy).is_some()
            });
            if !valid {
                return Err(ConfigError::Invalid(format!(
                    "form_consent: {entry:?} is not FORM_KEY=POLICY, the policy {policies}"
                )));
            }
        }
        if self.db.as_os_str().is_empty() {
            return Err(ConfigError::Invalid("db must be a file path".to_owned()));
        }
        // An empty token in a config file means "none", like an empty variable does;
        // it must never become a token that an empty Authorization header matches.
        self.api_token = self
            .api_token
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        Ok(self)
    }
}

/// `https://Example.COM/` → `https://example.com`: what browsers send in `Origin`
/// (scheme, host, port; lower case; no path). Anything else is a configuration mistake.
fn normalise_origin(raw: &str) -> Result<String, ConfigError> {
    let refused = || {
        ConfigError::Invalid(format!(
            "allowed_origins: {raw:?} is not an origin like https://www.example.com"
        ))
    };
    // Read as the browser reads the page's address, so the origin is written as the browser
    // writes it in `Origin`: default port dropped, international names in xn-- form.
    let url = url::Url::parse(raw.trim()).map_err(|_| refused())?;
    let only_origin = matches!(url.scheme(), "http" | "https")
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !only_origin {
        return Err(refused());
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn config_file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn time_zone_defaults_to_utc_and_must_be_known() {
        assert_eq!(Settings::default().time_zone, "UTC");
        let oslo = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_TIME_ZONE", "Europe/Oslo")]),
        );
        assert_eq!(oslo.unwrap().time_zone, "Europe/Oslo");
        let bad = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_TIME_ZONE", "Mars/Base")]),
        );
        assert!(bad.unwrap_err().to_string().contains("Mars/Base"));
    }

    #[test]
    fn session_durations_are_read_with_their_unit() {
        assert_eq!(parse_duration_secs("12h"), Some(43_200));
        assert_eq!(parse_duration_secs("30d"), Some(2_592_000));
        assert_eq!(parse_duration_secs("90s"), Some(90));
        assert_eq!(parse_duration_secs("0s"), None);
        assert_eq!(parse_duration_secs("12"), None);
        assert_eq!(parse_duration_secs("h"), None);
        let s = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_SESSION_IDLE", "30m")]),
        )
        .unwrap();
        assert_eq!(
            (s.session_idle.as_str(), s.session_lifetime.as_str()),
            ("30m", "30d")
        );
        let bad = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_SESSION_LIFETIME", "a month")]),
        );
        assert!(bad.unwrap_err().to_string().contains("session_lifetime"));
    }

    #[test]
    fn defaults_without_anything() {
        let s = load(&Overrides::default(), env(&[("PATH", "/bin")])).unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.addr, "127.0.0.1:8080");
        assert_eq!(s.db, PathBuf::from("leadtrail.db"));
        assert_eq!(s.max_body_bytes, 65536);
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file = config_file(
            "db = \"/from/file.db\"\naddr = \"0.0.0.0:1\"\napi_token = \"file-token\"\nmax_body_bytes = 2048\n",
        );
        let file_path = file.path().to_str().unwrap();

        let only_file = load(&Overrides::default(), env(&[(ENV_CONFIG, file_path)])).unwrap();
        assert_eq!(only_file.db, PathBuf::from("/from/file.db"));
        assert_eq!(only_file.api_token.as_deref(), Some("file-token"));
        assert_eq!(only_file.max_body_bytes, 2048);

        let environment = env(&[
            (ENV_CONFIG, file_path),
            ("LEADTRAIL_ADDR", "127.0.0.1:9"),
            ("LEADTRAIL_API_TOKEN", "123456"),
            ("LEADTRAIL_MAX_BODY_BYTES", "4096"),
        ]);
        let with_env = load(&Overrides::default(), environment.clone()).unwrap();
        assert_eq!(with_env.db, PathBuf::from("/from/file.db"));
        assert_eq!(with_env.addr, "127.0.0.1:9");
        assert_eq!(with_env.api_token.as_deref(), Some("123456"));
        assert_eq!(with_env.max_body_bytes, 4096);

        let flags = Overrides {
            addr: Some("127.0.0.1:0".into()),
            max_body_bytes: Some(8192),
            ..Overrides::default()
        };
        let with_flags = load(&flags, environment).unwrap();
        assert_eq!(with_flags.addr, "127.0.0.1:0");
        assert_eq!(with_flags.max_body_bytes, 8192);
        assert_eq!(with_flags.api_token.as_deref(), Some("123456"));
        assert_eq!(with_flags.db, PathBuf::from("/from/file.db"));
    }

    #[test]
    fn config_flag_beats_config_variable() {
        let a = config_file("addr = \"127.0.0.1:1\"\n");
        let b = config_file("addr = \"127.0.0.1:2\"\n");
        let flags = Overrides {
            config: Some(b.path().to_owned()),
            ..Overrides::default()
        };
        let s = load(&flags, env(&[(ENV_CONFIG, a.path().to_str().unwrap())])).unwrap();
        assert_eq!(s.addr, "127.0.0.1:2");
    }

    #[test]
    fn empty_and_unknown_variables_are_ignored() {
        let s = load(
            &Overrides::default(),
            env(&[
                ("LEADTRAIL_API_TOKEN", ""),
                ("LEADTRAIL_LOG", "debug"),
                ("LEADTRAIL_DB", "  "),
            ]),
        )
        .unwrap();
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let missing = load(
            &Overrides {
                config: Some("/nonexistent/leadtrail.toml".into()),
                ..Overrides::default()
            },
            env(&[]),
        );
        assert!(matches!(missing, Err(ConfigError::MissingFile(_))));

        let typo = config_file("adr = \"127.0.0.1:1\"\n");
        let err = load(
            &Overrides::default(),
            env(&[(ENV_CONFIG, typo.path().to_str().unwrap())]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("adr"), "{err}");

        let err = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_MAX_BODY_BYTES", "lots")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("max_body_bytes"), "{err}");

        let err = load(
            &Overrides {
                max_body_bytes: Some(10),
                ..Overrides::default()
            },
            env(&[]),
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
    }

    #[test]
    fn abuse_limits_from_file_env_and_flags() {
        let defaults = Settings::default();
        assert_eq!(defaults.form_posts_per_minute, 60);
        assert_eq!(defaults.form_post_burst, 60);
        assert!(defaults.allowed_origins.is_empty());

        let file = config_file(
            "form_posts_per_minute = 5\nform_post_burst = 2\nallowed_origins = [\"https://WWW.Acme.example/\"]\n",
        );
        let from_file = load(
            &Overrides::default(),
            env(&[(ENV_CONFIG, file.path().to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(from_file.form_posts_per_minute, 5);
        assert_eq!(from_file.form_post_burst, 2);
        assert_eq!(from_file.allowed_origins, vec!["https://www.acme.example"]);

        let from_env = load(
            &Overrides::default(),
            env(&[
                ("LEADTRAIL_FORM_POSTS_PER_MINUTE", "0"),
                (
                    "LEADTRAIL_ALLOWED_ORIGINS",
                    "https://a.example, http://localhost:3000",
                ),
            ]),
        )
        .unwrap();
        assert_eq!(from_env.form_posts_per_minute, 0);
        assert_eq!(
            from_env.allowed_origins,
            vec!["https://a.example", "http://localhost:3000"]
        );

        let flags = Overrides {
            form_posts_per_minute: Some(7),
            ..Overrides::default()
        };
        assert_eq!(load(&flags, env(&[])).unwrap().form_posts_per_minute, 7);

        // Written as browsers write `Origin`, whatever the spelling in the settings.
        let origins = load(
            &Overrides::default(),
            env(&[(
                "LEADTRAIL_ALLOWED_ORIGINS",
                "https://Shop.Acme.example:443, http://bücher.example:8080/",
            )]),
        )
        .unwrap()
        .allowed_origins;
        assert_eq!(
            origins,
            vec![
                "https://shop.acme.example",
                "http://xn--bcher-kva.example:8080"
            ]
        );

        for bad in [
            "acme.example",
            "https://a.example/path",
            "ftp://a.example",
            "https://a.example:99999",
            "https://user@a.example",
            "https://a.example/?x=1",
        ] {
            let err = load(
                &Overrides::default(),
                env(&[("LEADTRAIL_ALLOWED_ORIGINS", bad)]),
            )
            .unwrap_err();
            assert!(err.to_string().contains("allowed_origins"), "{err}");
        }
        let err = load(
            &Overrides::default(),
            env(&[("LEADTRAIL_FORM_POST_BURST", "0")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("form_post_burst"), "{err}");
    }

    #[test]
    fn blank_token_in_file_means_none() {
        let file = config_file("api_token = \"  \"\n");
        let s = load(
            &Overrides::default(),
            env(&[(ENV_CONFIG, file.path().to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(s.api_token, None);
    }
}
