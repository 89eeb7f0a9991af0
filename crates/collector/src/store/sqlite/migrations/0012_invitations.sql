-- 0012 — admins invite people: a one-time link (its token stored as a SHA-256 only) with
-- which the invitee sets a password and becomes a user with the role given.
CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'marketer', 'viewer')),
    token_sha256  BLOB    NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    accepted_at   INTEGER
) STRICT;
CREATE INDEX invitations_email ON invitations (email_key);
