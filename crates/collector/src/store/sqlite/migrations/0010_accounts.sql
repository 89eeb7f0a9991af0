-- 0010 — people sign in as themselves: users with roles, sessions, tokens that belong to
-- a user and can be revoked, and an audit log.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    -- As given; `email_key` (lower case, trimmed) is what sign-in matches.
    email                TEXT    NOT NULL,
    email_key            TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('admin', 'marketer', 'viewer')),
    -- Argon2id in PHC string form (algorithm, parameters and salt included).
    password_hash        TEXT    NOT NULL,
    disabled_at          INTEGER,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL
) STRICT;

-- A session is found by the SHA-256 of its cookie's random id; the id itself is never
-- stored. Disabling a user or changing the password deletes the user's sessions.
CREATE TABLE sessions (
    id_sha256     BLOB    NOT NULL PRIMARY KEY CHECK (length(id_sha256) = 32),
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

-- Tokens minted before this migration have no user and keep full (admin) power, as
-- they had; new ones name their user, a scope, and maybe an expiry.
ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write'
    CHECK (scope IN ('read', 'write'));
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Who did what. `actor` and `target` are text as they were at the time (an e-mail, a
-- token's name and owner, `person 12`), so entries outlive the rows they name; an
-- erasure's entry names the person by id only.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    target   TEXT,
    address  TEXT,
    detail   TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
