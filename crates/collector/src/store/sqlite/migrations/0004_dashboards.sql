-- 0004 — dashboards: named lists of tiles with default filters. The presets
-- (marketing, lead-nurturing, sales) are built in and not stored here.
CREATE TABLE dashboards (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- JSON array of {"tile", "campaign"?, "selection"?}.
    tiles       TEXT    NOT NULL CHECK (json_valid(tiles)),
    -- JSON object of default filters {"from"?, "to"?, "owner"?, "country"?}.
    filters     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
