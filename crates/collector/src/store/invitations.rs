//! Invitations: an admin names a person (e-mail, name, role); the person follows a one-time
//! link within its validity, sets a password, and is a user from then on. The link's token
//! is stored as a SHA-256 only, and works once.

use async_trait::async_trait;

use super::accounts::{AccountError, Role, User};
use super::StoreResult;

#[derive(Debug, Clone)]
pub(crate) struct NewInvitation {
    pub(crate) email: String,
    pub(crate) email_key: String,
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) token_sha256: [u8; 32],
    pub(crate) created_by: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invitation {
    pub(crate) id: i64,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: Role,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) accepted_at: Option<i64>,
}

/// Why an invitation's link did not make a user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InvitationError {
    /// Unknown, used or expired: one answer for all three.
    #[error(
        "this invitation link is not valid (used, expired or mistyped); ask an admin for a new one"
    )]
    NotValid,
    #[error("{0}")]
    Account(#[from] AccountError),
}

#[async_trait]
pub(crate) trait InvitationStore: Send + Sync {
    /// Refused when a user with the e-mail exists already.
    async fn create_invitation(
        &self,
        invitation: NewInvitation,
    ) -> StoreResult<Result<Invitation, AccountError>>;
    /// Invitations not yet accepted, newest first (expired ones too).
    async fn pending_invitations(&self) -> StoreResult<Vec<Invitation>>;
    /// The invitation a link's token opens, when it is neither used nor expired at `now`.
    async fn open_invitation(
        &self,
        token_sha256: [u8; 32],
        now: i64,
    ) -> StoreResult<Option<Invitation>>;
    /// Makes the user and uses the invitation up, in one write.
    async fn accept_invitation(
        &self,
        token_sha256: [u8; 32],
        password_hash: String,
        now: i64,
    ) -> StoreResult<Result<User, InvitationError>>;
}
