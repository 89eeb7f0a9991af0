//! SQLite side of [`AccountStore`]: users, sessions, tokens and the audit log
//! (migrations/0010_accounts.sql). Writes go through the one writer like every other.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::store::accounts::{
    AccountError, AccountStore, AuditEntry, AuditFilter, NewAuditEntry, NewToken, NewUser, Role,
    Scope, SessionRow, TokenAuth, TokenRow, User,
};
use crate::store::StoreResult;

const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.role, u.disabled_at, u.created_at, u.password_changed_at";
const TOKEN_COLUMNS: &str = "t.id, t.name, t.scope, t.user_id, (SELECT email FROM users WHERE \
                             id = t.user_id), t.created_at, t.expires_at, t.last_used_at, \
                             t.revoked_at";

fn conversion_error(column: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("{what} {value:?}").into(),
    )
}

/// A user from [`USER_COLUMNS`] starting at `at`.
fn user_from(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<User> {
    let role: String = row.get(at + 3)?;
    Ok(User {
        id: row.get(at)?,
        email: row.get(at + 1)?,
        name: row.get(at + 2)?,
        role: Role::parse(&role).ok_or_else(|| conversion_error(at + 3, "role", &role))?,
        disabled_at: row.get(at + 4)?,
        created_at: row.get(at + 5)?,
        password_changed_at: row.get(at + 6)?,
    })
}

fn token_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
    let scope: String = row.get(2)?;
    Ok(TokenRow {
        id: row.get(0)?,
        name: row.get(1)?,
        scope: Scope::parse(&scope).ok_or_else(|| conversion_error(2, "scope", &scope))?,
        user_id: row.get(3)?,
        user_email: row.get(4)?,
        created_at: row.get(5)?,
        expires_at: row.get(6)?,
        last_used_at: row.get(7)?,
        revoked_at: row.get(8)?,
    })
}

fn user_by_id(c: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    c.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
    ))?
    .query_row([id], |row| user_from(row, 0))
    .optional()
}

fn token_by_id(c: &Connection, id: i64) -> rusqlite::Result<Option<TokenRow>> {
    c.prepare_cached(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.id = ?1"
    ))?
    .query_row([id], token_from)
    .optional()
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_user(&self, user: NewUser) -> StoreResult<Result<User, AccountError>> {
        self.writer
            .apply(move |c| {
                let taken: bool = c
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE email_key = ?1)")?
                    .query_row([&user.email_key], |row| row.get(0))?;
                if taken {
                    return Ok(Err(AccountError::EmailTaken(user.email.clone())));
                }
                c.prepare_cached(
                    "INSERT INTO users (email, email_key, name, role, password_hash, created_at, \
                     password_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                )?
                .execute(params![
                    user.email,
                    user.email_key,
                    user.name,
                    user.role.name(),
                    user.password_hash,
                    user.created_at
                ])?;
                let id = c.last_insert_rowid();
                user_by_id(c, id)?
                    .map(Ok)
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)
            })
            .await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id"))?
                .query_map([], |row| user_from(row, 0))?
                .collect()
        })
        .await
    }

    async fn user(&self, id: i64) -> StoreResult<Option<User>> {
        self.read(move |c| user_by_id(c, id)).await
    }

    async fn user_for_sign_in(&self, email_key: &str) -> StoreResult<Option<(User, String)>> {
        let key = email_key.to_owned();
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email_key = ?1"
            ))?
            .query_row([key], |row| Ok((user_from(row, 0)?, row.get(7)?)))
            .optional()
        })
        .await
    }

    async fn count_users(&self) -> StoreResult<i64> {
        self.read(|c| {
            c.prepare_cached("SELECT count(*) FROM users")?
                .query_row([], |row| row.get(0))
        })
        .await
    }

    async fn set_role(&self, user_id: i64, role: Role) -> StoreResult<Option<User>> {
        self.writer
            .apply(move |c| {
                c.prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
                    .execute(params![user_id, role.name()])?;
                // A narrower role narrows the user's tokens too.
                if role.max_scope() == Scope::Read {
                    c.prepare_cached("UPDATE api_tokens SET scope = 'read' WHERE user_id = ?1")?
                        .execute([user_id])?;
                }
                user_by_id(c, user_id)
            })
            .await
    }

    async fn set_disabled(
        &self,
        user_id: i64,
        disabled_at: Option<i64>,
    ) -> StoreResult<Option<User>> {
        self.writer
            .apply(move |c| {
                c.prepare_cached("UPDATE users SET disabled_at = ?2 WHERE id = ?1")?
                    .execute(params![user_id, disabled_at])?;
                if disabled_at.is_some() {
                    c.prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
                        .execute([user_id])?;
                }
                user_by_id(c, user_id)
            })
            .await
    }

    async fn set_password(&self, user_id: i64, hash: String, at: i64) -> StoreResult<Option<User>> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "UPDATE users SET password_hash = ?2, password_changed_at = ?3 WHERE id = ?1",
                )?
                .execute(params![user_id, hash, at])?;
                c.prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
                    .execute([user_id])?;
                user_by_id(c, user_id)
            })
            .await
    }

    async fn create_session(&self, id_sha256: [u8; 32], user_id: i64, at: i64) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO sessions (id_sha256, user_id, created_at, last_seen_at) \
                     VALUES (?1, ?2, ?3, ?3)",
                )?
                .execute(params![&id_sha256[..], user_id, at])
                .map(|_| ())
            })
            .await
    }

    async fn session(&self, id_sha256: [u8; 32]) -> StoreResult<Option<SessionRow>> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, s.created_at, s.last_seen_at FROM sessions s \
                 JOIN users u ON u.id = s.user_id WHERE s.id_sha256 = ?1"
            ))?
            .query_row([&id_sha256[..]], |row| {
                Ok(SessionRow {
                    user: user_from(row, 0)?,
                    created_at: row.get(7)?,
                    last_seen_at: row.get(8)?,
                })
            })
            .optional()
        })
        .await
    }

    async fn touch_session(&self, id_sha256: [u8; 32], at: i64) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached("UPDATE sessions SET last_seen_at = ?2 WHERE id_sha256 = ?1")?
                    .execute(params![&id_sha256[..], at])
                    .map(|_| ())
            })
            .await
    }

    async fn delete_session(&self, id_sha256: [u8; 32]) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached("DELETE FROM sessions WHERE id_sha256 = ?1")?
                    .execute([&id_sha256[..]])
                    .map(|_| ())
            })
            .await
    }

    async fn create_token(&self, token: NewToken) -> StoreResult<TokenRow> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO api_tokens (name, sha256, created_at, user_id, scope, expires_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    token.name,
                    &token.sha256[..],
                    token.created_at,
                    token.user_id,
                    token.scope.name(),
                    token.expires_at
                ])?;
                token_by_id(c, c.last_insert_rowid())?.ok_or(rusqlite::Error::QueryReturnedNoRows)
            })
            .await
    }

    async fn token_by_hash(&self, sha256: [u8; 32]) -> StoreResult<Option<TokenAuth>> {
        self.read(move |c| {
            let token = c
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens t \
                     WHERE t.sha256 = ?1 AND t.revoked_at IS NULL"
                ))?
                .query_row([&sha256[..]], token_from)
                .optional()?;
            let Some(token) = token else {
                return Ok(None);
            };
            let user = match token.user_id {
                Some(id) => match user_by_id(c, id)? {
                    Some(user) => Some(user),
                    None => return Ok(None),
                },
                None => None,
            };
            Ok(Some(TokenAuth { token, user }))
        })
        .await
    }

    async fn tokens(&self, user_id: Option<i64>) -> StoreResult<Vec<TokenRow>> {
        self.read(move |c| {
            c.prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens t \
                 WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.id DESC"
            ))?
            .query_map([user_id], token_from)?
            .collect()
        })
        .await
    }

    async fn token(&self, id: i64) -> StoreResult<Option<TokenRow>> {
        self.read(move |c| token_by_id(c, id)).await
    }

    async fn revoke_token(&self, id: i64, at: i64) -> StoreResult<Option<TokenRow>> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                )?
                .execute(params![id, at])?;
                token_by_id(c, id)
            })
            .await
    }

    async fn touch_token(&self, id: i64, at: i64) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1")?
                    .execute(params![id, at])
                    .map(|_| ())
            })
            .await
    }

    async fn record_audit(&self, entry: NewAuditEntry) -> StoreResult<()> {
        self.writer
            .apply(move |c| {
                c.prepare_cached(
                    "INSERT INTO audit_log (at, actor, action, target, address, detail) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.target,
                    entry.address,
                    entry.detail
                ])
                .map(|_| ())
            })
            .await
    }

    async fn audit(&self, filter: AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        self.read(move |c| {
            let prefix = filter.action_prefix.as_ref().map(|p| {
                format!(
                    "{}%",
                    p.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
            c.prepare_cached(
                "SELECT id, at, actor, action, target, address, detail FROM audit_log \
                 WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR action LIKE ?2 ESCAPE '\\') \
                 AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR at >= ?4) \
                 AND (?5 IS NULL OR at < ?5) AND (?6 IS NULL OR id < ?6) \
                 ORDER BY id DESC LIMIT ?7",
            )?
            .query_map(
                params![
                    filter.action,
                    prefix,
                    filter.actor,
                    filter.from_ms,
                    filter.to_ms,
                    filter.before_id,
                    filter.limit as i64
                ],
                |row| {
                    Ok(AuditEntry {
                        id: row.get(0)?,
                        entry: NewAuditEntry {
                            at: row.get(1)?,
                            actor: row.get(2)?,
                            action: row.get(3)?,
                            target: row.get(4)?,
                            address: row.get(5)?,
                            detail: row.get(6)?,
                        },
                    })
                },
            )?
            .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn new_user(email: &str, role: Role) -> NewUser {
        NewUser {
            email: email.to_owned(),
            email_key: email.to_lowercase(),
            name: "Ada".to_owned(),
            role,
            password_hash: "$argon2id$placeholder".to_owned(),
            created_at: 1_000,
        }
    }

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn users_sessions_and_tokens_follow_their_user() {
        let (_dir, store) = store().await;
        let ada = store
            .create_user(new_user("Ada@x.io", Role::Admin))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ada.email, "Ada@x.io");
        assert_eq!(
            store
                .create_user(new_user("ada@x.io", Role::Viewer))
                .await
                .unwrap(),
            Err(AccountError::EmailTaken("ada@x.io".into()))
        );
        let (found, hash) = store.user_for_sign_in("ada@x.io").await.unwrap().unwrap();
        assert_eq!((found.id, hash.as_str()), (ada.id, "$argon2id$placeholder"));

        store.create_session([1; 32], ada.id, 2_000).await.unwrap();
        store.touch_session([1; 32], 3_000).await.unwrap();
        let session = store.session([1; 32]).await.unwrap().unwrap();
        assert_eq!((session.created_at, session.last_seen_at), (2_000, 3_000));
        store
            .set_password(ada.id, "new".into(), 4_000)
            .await
            .unwrap();
        assert!(
            store.session([1; 32]).await.unwrap().is_none(),
            "a new password ends sessions"
        );
        store.create_session([2; 32], ada.id, 5_000).await.unwrap();
        store.set_disabled(ada.id, Some(6_000)).await.unwrap();
        assert!(
            store.session([2; 32]).await.unwrap().is_none(),
            "disabling ends sessions"
        );

        let token = store
            .create_token(NewToken {
                name: "ci".into(),
                sha256: [3; 32],
                user_id: Some(ada.id),
                scope: Scope::Write,
                expires_at: None,
                created_at: 7_000,
            })
            .await
            .unwrap();
        assert_eq!(token.user_email.as_deref(), Some("Ada@x.io"));
        store.set_role(ada.id, Role::Viewer).await.unwrap();
        let auth = store.token_by_hash([3; 32]).await.unwrap().unwrap();
        assert_eq!(auth.token.scope, Scope::Read, "a viewer's tokens only read");
        assert_eq!(auth.user.unwrap().role, Role::Viewer);
        store.touch_token(token.id, 8_000).await.unwrap();
        assert_eq!(
            store.token(token.id).await.unwrap().unwrap().last_used_at,
            Some(8_000)
        );
        let revoked = store.revoke_token(token.id, 9_000).await.unwrap().unwrap();
        assert_eq!(revoked.revoked_at, Some(9_000));
        assert!(store.token_by_hash([3; 32]).await.unwrap().is_none());
        assert_eq!(store.tokens(Some(ada.id)).await.unwrap().len(), 1);
        assert!(store.revoke_token(999, 9_000).await.unwrap().is_none());
        store.shutdown().await;
    }

    #[tokio::test]
    async fn audit_entries_filter_newest_first() {
        let (_dir, store) = store().await;
        for (at, action) in [
            (1, "session.create"),
            (2, "token.create"),
            (3, "token.revoke"),
        ] {
            store
                .record_audit(NewAuditEntry {
                    at,
                    actor: "ada@x.io".into(),
                    action: action.into(),
                    target: None,
                    address: Some("127.0.0.1".into()),
                    detail: None,
                })
                .await
                .unwrap();
        }
        let all = store
            .audit(AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|e| e.entry.at).collect::<Vec<_>>(),
            [3, 2, 1]
        );
        let tokens = store
            .audit(AuditFilter {
                action_prefix: Some("token.".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(tokens.len(), 2);
        let page = store
            .audit(AuditFilter {
                before_id: Some(all[0].id),
                from_ms: Some(2),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].entry.action, "token.create");
        store.shutdown().await;
    }
}
