//! SQLite side of [`InvitationStore`] (migrations/0012_invitations.sql).

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::store::accounts::{AccountError, Role, User};
use crate::store::invitations::{Invitation, InvitationError, InvitationStore, NewInvitation};
use crate::store::StoreResult;

const COLUMNS: &str = "id, email, name, role, created_at, expires_at, accepted_at";

fn invitation_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Invitation> {
    let role: String = row.get(3)?;
    Ok(Invitation {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("role {role:?}").into(),
            )
        })?,
        created_at: row.get(4)?,
        expires_at: row.get(5)?,
        accepted_at: row.get(6)?,
    })
}

fn open(c: &Connection, token_sha256: &[u8; 32], now: i64) -> rusqlite::Result<Option<Invitation>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM invitations WHERE token_sha256 = ?1 \
         AND accepted_at IS NULL AND expires_at > ?2"
    ))?
    .query_row(params![&token_sha256[..], now], invitation_from)
    .optional()
}

fn user_exists(c: &Connection, email_key: &str) -> rusqlite::Result<bool> {
    c.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = ?1)")?
        .query_row([email_key], |row| row.get(0))
}

#[async_trait]
impl InvitationStore for SqliteStore {
    async fn create_invitation(
        &self,
        invitation: NewInvitation,
    ) -> StoreResult<Result<Invitation, AccountError>> {
        self.writer
            .apply(move |c| {
                if user_exists(c, &invitation.email_key)? {
                    return Ok(Err(AccountError::EmailTaken(invitation.email.clone())));
                }
                c.prepare_cached(
                    "INSERT INTO invitations (email, email_key, name, role, token_sha256, \
                     created_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    invitation.email,
                    invitation.email_key,
                    invitation.name,
                    invitation.role.name(),
                    &invitation.token_sha256[..],
                    invitation.created_by,
                    invitation.created_at,
                    invitation.expires_at
                ])?;
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM invitations WHERE id = ?1"))?
                    .query_row([c.last_insert_rowid()], invitation_from)
                    .map(Ok)
            })
            .await
    }

    async fn pending_invitations(&self) -> StoreResult<Vec<Invitation>> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM invitations WHERE accepted_at IS NULL ORDER BY id DESC"
            ))?
            .query_map([], invitation_from)?
            .collect()
        })
        .await
    }

    async fn open_invitation(
        &self,
        token_sha256: [u8; 32],
        now: i64,
    ) -> StoreResult<Option<Invitation>> {
        self.read(move |c| open(c, &token_sha256, now)).await
    }

    async fn accept_invitation(
        &self,
        token_sha256: [u8; 32],
        password_hash: String,
        now: i64,
    ) -> StoreResult<Result<User, InvitationError>> {
        self.writer
            .apply(move |c| {
                let Some(invitation) = open(c, &token_sha256, now)? else {
                    return Ok(Err(InvitationError::NotValid));
                };
                let key = invitation.email.trim().to_lowercase();
                if user_exists(c, &key)? {
                    return Ok(Err(AccountError::EmailTaken(invitation.email).into()));
                }
                c.prepare_cached(
                    "INSERT INTO users (email, email_key, name, role, password_hash, created_at, \
                     password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                )?
                .execute(params![
                    invitation.email,
                    key,
                    invitation.name,
                    invitation.role.name(),
                    password_hash,
                    now
                ])?;
                let user_id = c.last_insert_rowid();
                c.prepare_cached("UPDATE invitations SET accepted_at = ?2 WHERE id = ?1")?
                    .execute(params![invitation.id, now])?;
                Ok(Ok(User {
                    id: user_id,
                    email: invitation.email,
                    name: invitation.name,
                    role: invitation.role,
                    disabled_at: None,
                    created_at: now,
                    password_changed_at: now,
                }))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn an_invitation_opens_until_it_expires_or_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("i.db")).unwrap();
        let made = store
            .create_invitation(NewInvitation {
                email: "Ann@x.io".into(),
                email_key: "ann@x.io".into(),
                name: "Ann".into(),
                role: Role::Viewer,
                token_sha256: [5; 32],
                created_by: None,
                created_at: 1_000,
                expires_at: 2_000,
            })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.open_invitation([5; 32], 1_999).await.unwrap(),
            Some(made)
        );
        assert_eq!(
            store.open_invitation([5; 32], 2_000).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(
            store
                .accept_invitation([5; 32], "h".into(), 2_001)
                .await
                .unwrap(),
            Err(InvitationError::NotValid)
        );
        let user = store
            .accept_invitation([5; 32], "h".into(), 1_500)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((user.email.as_str(), user.role), ("Ann@x.io", Role::Viewer));
        assert_eq!(
            store
                .accept_invitation([5; 32], "h".into(), 1_600)
                .await
                .unwrap(),
            Err(InvitationError::NotValid),
            "used"
        );
        assert!(store.pending_invitations().await.unwrap().is_empty());
        store.shutdown().await;
    }
}
