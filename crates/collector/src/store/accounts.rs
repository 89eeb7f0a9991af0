//! Who may use the collector: users and their roles, sign-in sessions, API tokens that
//! belong to a user, and the audit log of what was done by whom.
//!
//! Secrets are never stored: passwords as Argon2id hashes (made by the caller), session ids
//! and tokens as SHA-256 hashes. Disabling a user or changing a password deletes the user's
//! sessions in the same write.

use async_trait::async_trait;

use super::StoreResult;

/// What a user may do. Ordered: each role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Role {
    /// Reads dashboards, people and companies; exports no personal data.
    Viewer,
    /// Reads everything and works the leads (status, owner, sales, selections, links),
    /// exports.
    Marketer,
    /// Everything, including users, erasure, settings and the tokens of others.
    Admin,
}

impl Role {
    pub(crate) const ALL: [Role; 3] = [Role::Admin, Role::Marketer, Role::Viewer];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Marketer => "marketer",
            Role::Admin => "admin",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == text)
    }

    /// The widest token scope a user of this role may hold.
    pub(crate) const fn max_scope(self) -> Scope {
        match self {
            Role::Viewer => Scope::Read,
            Role::Marketer | Role::Admin => Scope::Write,
        }
    }
}

/// What an API token may do within its user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Scope {
    Read,
    Write,
}

impl Scope {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Scope> {
        [Scope::Read, Scope::Write]
            .into_iter()
            .find(|s| s.name() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) disabled_at: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) password_changed_at: i64,
}

/// A user to create; `email_key` is the lower-case, trimmed e-mail sign-in matches.
#[derive(Debug, Clone)]
pub(crate) struct NewUser {
    pub(crate) email: String,
    pub(crate) email_key: String,
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) password_hash: String,
    pub(crate) created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AccountError {
    #[error("a user with e-mail {0} already exists")]
    EmailTaken(String),
    #[error("no user {0}")]
    NoUser(String),
}

/// A session found by its id, with its user as the user is now.
#[derive(Debug, Clone)]
pub(crate) struct SessionRow {
    pub(crate) user: User,
    pub(crate) created_at: i64,
    pub(crate) last_seen_at: i64,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) scope: Scope,
    /// `None` for operator tokens (minted by `leadtrail token create` without `--user`,
    /// or before users existed): they act as an admin.
    pub(crate) user_id: Option<i64>,
    pub(crate) user_email: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) last_used_at: Option<i64>,
    pub(crate) revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct NewToken {
    pub(crate) name: String,
    pub(crate) sha256: [u8; 32],
    pub(crate) user_id: Option<i64>,
    pub(crate) scope: Scope,
    pub(crate) expires_at: Option<i64>,
    pub(crate) created_at: i64,
}

/// A token presented with a request: the row and, for a user's token, the user now.
#[derive(Debug, Clone)]
pub(crate) struct TokenAuth {
    pub(crate) token: TokenRow,
    pub(crate) user: Option<User>,
}

/// One audit entry to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewAuditEntry {
    pub(crate) at: i64,
    /// The user's e-mail, or `token NAME (OWNER)`.
    pub(crate) actor: String,
    /// `session.create`, `token.revoke`, `person.status` …
    pub(crate) action: String,
    pub(crate) target: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditEntry {
    pub(crate) id: i64,
    pub(crate) entry: NewAuditEntry,
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditFilter {
    pub(crate) action: Option<String>,
    /// Entries whose action starts with this (`token.`).
    pub(crate) action_prefix: Option<String>,
    pub(crate) actor: Option<String>,
    pub(crate) from_ms: Option<i64>,
    pub(crate) to_ms: Option<i64>,
    /// Entries older than this id (the next page).
    pub(crate) before_id: Option<i64>,
    pub(crate) limit: usize,
}

#[async_trait]
pub(crate) trait AccountStore: Send + Sync {
    async fn create_user(&self, user: NewUser) -> StoreResult<Result<User, AccountError>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn user(&self, id: i64) -> StoreResult<Option<User>>;
    /// The user whose e-mail key this is, with the password hash.
    async fn user_for_sign_in(&self, email_key: &str) -> StoreResult<Option<(User, String)>>;
    async fn count_users(&self) -> StoreResult<i64>;
    async fn set_role(&self, user_id: i64, role: Role) -> StoreResult<Option<User>>;
    /// Disables (deleting the user's sessions) or enables a user.
    async fn set_disabled(
        &self,
        user_id: i64,
        disabled_at: Option<i64>,
    ) -> StoreResult<Option<User>>;
    /// Stores a new password hash and deletes the user's sessions.
    async fn set_password(&self, user_id: i64, hash: String, at: i64) -> StoreResult<Option<User>>;

    async fn create_session(&self, id_sha256: [u8; 32], user_id: i64, at: i64) -> StoreResult<()>;
    async fn session(&self, id_sha256: [u8; 32]) -> StoreResult<Option<SessionRow>>;
    async fn touch_session(&self, id_sha256: [u8; 32], at: i64) -> StoreResult<()>;
    async fn delete_session(&self, id_sha256: [u8; 32]) -> StoreResult<()>;

    async fn create_token(&self, token: NewToken) -> StoreResult<TokenRow>;
    /// A token that is not revoked (expiry is the caller's to judge).
    async fn token_by_hash(&self, sha256: [u8; 32]) -> StoreResult<Option<TokenAuth>>;
    /// Tokens of one user, or all when `None`; revoked ones too, newest first.
    async fn tokens(&self, user_id: Option<i64>) -> StoreResult<Vec<TokenRow>>;
    async fn token(&self, id: i64) -> StoreResult<Option<TokenRow>>;
    /// Revokes a token; `None` when no such token is.
    async fn revoke_token(&self, id: i64, at: i64) -> StoreResult<Option<TokenRow>>;
    async fn touch_token(&self, id: i64, at: i64) -> StoreResult<()>;

    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<()>;
    async fn audit(&self, filter: AuditFilter) -> StoreResult<Vec<AuditEntry>>;
}
