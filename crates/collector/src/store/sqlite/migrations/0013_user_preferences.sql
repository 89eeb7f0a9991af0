-- 0013 — each user's own settings of the app: the language the pages speak (none: the
-- browser's), and per table of the pages the columns shown, in order (a JSON array of
-- column ids). They go with their user.
CREATE TABLE user_preferences (
    user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    language  TEXT CHECK (language IN ('en', 'nb', 'nl'))
) STRICT;
CREATE TABLE user_columns (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    table_id  TEXT    NOT NULL,
    columns   TEXT    NOT NULL CHECK (json_valid(columns) AND json_type(columns) = 'array'),
    PRIMARY KEY (user_id, table_id)
) STRICT, WITHOUT ROWID;
