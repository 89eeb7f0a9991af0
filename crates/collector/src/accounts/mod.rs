//! Accounts as the CLI and the HTTP API both make them: e-mail, name and password checks,
//! and the one way a user is created.

pub(crate) mod password;
pub(crate) mod token;

use std::sync::Arc;

use crate::store::accounts::{AccountError, NewUser, Role, User};
use crate::store::{Store, StoreError};

/// Longest accepted name of a user.
const MAX_NAME_CHARS: usize = 200;
/// Longest accepted e-mail (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

#[derive(Debug, thiserror::Error)]
pub(crate) enum InputError {
    #[error("email: {0}")]
    Email(String),
    #[error("name: {0}")]
    Name(String),
    #[error("password: {0}")]
    Password(#[from] password::PasswordError),
    #[error("{0}")]
    Account(#[from] AccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The key sign-in matches an e-mail by: trimmed, lower case. Refuses what cannot be an
/// address (no `@`, spaces, control characters, too long).
pub(crate) fn email_key(email: &str) -> Result<String, InputError> {
    let email = email.trim();
    let refused = |why: &str| Err(InputError::Email(format!("{email:?} {why}")));
    if email.chars().count() > MAX_EMAIL_CHARS {
        return refused("is too long");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return refused("is not an e-mail address (no @)");
    };
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return refused("is not an e-mail address like name@example.com");
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refused("must not contain spaces or control characters");
    }
    Ok(email.to_lowercase())
}

pub(crate) fn check_name(name: &str) -> Result<String, InputError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(InputError::Name("must not be empty".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(InputError::Name(format!(
            "must be at most {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    Ok(name.to_owned())
}

/// Checks everything, hashes the password (on the blocking pool) and stores the user.
pub(crate) async fn create_user(
    store: &Arc<dyn Store>,
    email: &str,
    name: &str,
    role: Role,
    password: String,
    now_ms: i64,
) -> Result<User, InputError> {
    let key = email_key(email)?;
    let name = check_name(name)?;
    password::check(&password, email)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| StoreError::Internal(format!("hashing failed: {e}")))?;
    Ok(store
        .create_user(NewUser {
            email: email.trim().to_owned(),
            email_key: key,
            name,
            role,
            password_hash: hash,
            created_at: now_ms,
        })
        .await??)
}

/// Checks and stores a new password (ending the user's sessions).
pub(crate) async fn set_password(
    store: &Arc<dyn Store>,
    user: &User,
    password: String,
    now_ms: i64,
) -> Result<User, InputError> {
    password::check(&password, &user.email)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| StoreError::Internal(format!("hashing failed: {e}")))?;
    store
        .set_password(user.id, hash, now_ms)
        .await?
        .ok_or_else(|| InputError::Account(AccountError::NoUser(user.email.clone())))
}

/// One audit entry, as the CLI and the handlers describe it.
#[derive(Debug, Clone)]
pub(crate) struct Audit<'a> {
    pub(crate) actor: String,
    pub(crate) action: &'a str,
    pub(crate) target: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) detail: Option<String>,
}

/// Records an audit entry now. A failure is logged, not returned: the action it records
/// has already happened, and its caller's answer must say so.
pub(crate) async fn record(store: &Arc<dyn Store>, audit: Audit<'_>) {
    let entry = crate::store::accounts::NewAuditEntry {
        at: crate::time::now_ms(),
        actor: audit.actor,
        action: audit.action.to_owned(),
        target: audit.target,
        address: audit.address,
        detail: audit.detail,
    };
    if let Err(error) = store.record_audit(entry.clone()).await {
        tracing::error!(%error, action = %entry.action, actor = %entry.actor,
            "cannot record the audit entry");
    }
}

/// How the audit log names a token: `token 3 "ci" of ada@example.com`.
pub(crate) fn token_target(token: &crate::store::accounts::TokenRow) -> String {
    format!(
        "token {} {:?} of {}",
        token.id,
        token.name,
        token.user_email.as_deref().unwrap_or("the operator")
    )
}
