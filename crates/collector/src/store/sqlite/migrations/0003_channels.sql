-- 0003 — channels, source aliases and saved campaign links.
--
-- Every inline touch role (persons.first_*, persons.lead_*, submissions.conv_*,
-- companies.src_*) gets three columns, filled by the writer when the touch is stored:
--   <role>_channel        leadtrail_core::Channel::id (`paid_social`), NULL for an empty touch
--   <role>_rules_version  leadtrail_core::channel::RULES_VERSION that classified it
--   <role>_raw_source     the source as received when an alias rewrote <role>_source, else
--                         NULL; `leadtrail reclassify` starts from it, so that removing an
--                         alias can be undone as well as adding one.
-- Rows written before this migration have NULL channels until `leadtrail reclassify` runs.

ALTER TABLE persons ADD COLUMN first_channel TEXT;
ALTER TABLE persons ADD COLUMN first_rules_version INTEGER;
ALTER TABLE persons ADD COLUMN first_raw_source TEXT;
ALTER TABLE persons ADD COLUMN lead_channel TEXT;
ALTER TABLE persons ADD COLUMN lead_rules_version INTEGER;
ALTER TABLE persons ADD COLUMN lead_raw_source TEXT;
ALTER TABLE submissions ADD COLUMN conv_channel TEXT;
ALTER TABLE submissions ADD COLUMN conv_rules_version INTEGER;
ALTER TABLE submissions ADD COLUMN conv_raw_source TEXT;
ALTER TABLE companies ADD COLUMN src_channel TEXT;
ALTER TABLE companies ADD COLUMN src_rules_version INTEGER;
ALTER TABLE companies ADD COLUMN src_raw_source TEXT;

-- Search criteria and per-period counts by channel, like the source/medium/campaign indexes.
CREATE INDEX persons_first_channel ON persons (first_channel, created_at);
CREATE INDEX persons_lead_channel ON persons (lead_channel, created_at);
CREATE INDEX submissions_conv_channel ON submissions (conv_channel, created_at);
CREATE INDEX companies_src_channel ON companies (src_channel);

-- The operator's source aliases, laid over the built-in ones (crates/core/data/
-- source-aliases.csv). `alias` is a normalised name, `.domain.com` or `brand.*`;
-- `source` a plain normalised name.
CREATE TABLE source_aliases (
    alias       TEXT    NOT NULL PRIMARY KEY,
    source      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- Saved campaign links: a named list per campaign, exported as CSV for ad platforms.
-- Values are stored as the link carries them (normalised by the link builder).
CREATE TABLE saved_links (
    id          INTEGER PRIMARY KEY,
    campaign    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    medium      TEXT    NOT NULL,
    term        TEXT,
    content     TEXT,
    utm_id      TEXT,
    channel     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (campaign, name)
) STRICT;
