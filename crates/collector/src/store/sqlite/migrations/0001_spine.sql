-- 0001 — the spine: forms, companies, persons, submissions, API tokens.
--
-- Touches are stored inline, one column per touch field, prefixed by the role the touch
-- plays: persons.first_* (first interaction), persons.lead_* (lead generation),
-- submissions.conv_* (conversion), companies.src_* (company source). `utm_id` is the
-- touch's `id` field. Why inline and not a shared touches table: see store/sqlite/mod.rs.
-- Times are Unix milliseconds (UTC).

CREATE TABLE forms (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) STRICT;

-- Minimal, so that persons.owner_id can carry its foreign key from the start; the issue
-- that manages associates adds columns with ALTER TABLE.
CREATE TABLE associates (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    email       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE companies (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL,
    -- CompanyIdentity::key: lower-case name, or the e-mail domain.
    match_key          TEXT    NOT NULL UNIQUE,
    domain             TEXT,
    created_at         INTEGER NOT NULL,
    src_source         TEXT,
    src_medium         TEXT,
    src_campaign       TEXT,
    src_term           TEXT,
    src_content        TEXT,
    src_utm_id         TEXT,
    src_click_id       TEXT,
    src_click_id_type  TEXT,
    src_referrer       TEXT,
    src_landing_page   TEXT,
    src_at             INTEGER
) STRICT;

CREATE TABLE persons (
    id                   INTEGER PRIMARY KEY,
    -- As first submitted; email_key (Email::key, lower-case) is what persons are matched by.
    email                TEXT    NOT NULL,
    email_key            TEXT    NOT NULL UNIQUE,
    name                 TEXT,
    company_id           INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    country              TEXT,
    phone                TEXT,
    -- CHECKs use OR, not IN (…): SQLite builds a temporary index for an IN list of
    -- three or more values on every insert, which measurably slowed the writer.
    status               TEXT    NOT NULL DEFAULT 'open'
                         CHECK (status = 'open' OR status = 'in_progress'
                                OR status = 'qualified' OR status = 'disqualified'),
    owner_id             INTEGER REFERENCES associates (id) ON DELETE SET NULL,
    created_at           INTEGER NOT NULL,
    first_source         TEXT,
    first_medium         TEXT,
    first_campaign       TEXT,
    first_term           TEXT,
    first_content        TEXT,
    first_utm_id         TEXT,
    first_click_id       TEXT,
    first_click_id_type  TEXT,
    first_referrer       TEXT,
    first_landing_page   TEXT,
    first_at             INTEGER,
    lead_source          TEXT,
    lead_medium          TEXT,
    lead_campaign        TEXT,
    lead_term            TEXT,
    lead_content         TEXT,
    lead_utm_id          TEXT,
    lead_click_id        TEXT,
    lead_click_id_type   TEXT,
    lead_referrer        TEXT,
    lead_landing_page    TEXT,
    lead_at              INTEGER
) STRICT;

CREATE TABLE submissions (
    id                  INTEGER PRIMARY KEY,
    person_id           INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    form_id             INTEGER NOT NULL REFERENCES forms (id),
    channel             TEXT    NOT NULL
                        CHECK (channel = 'form' OR channel = 'chat' OR channel = 'api'
                               OR channel = 'import'),
    -- leadtrail_core::TouchOrigin, snake_case.
    origin              TEXT    NOT NULL
                        CHECK (origin = 'tracker' OR origin = 'referer_header' OR origin = 'api'),
    created_at          INTEGER NOT NULL,
    -- The form's other fields, a JSON object.
    payload             TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    conv_source         TEXT,
    conv_medium         TEXT,
    conv_campaign       TEXT,
    conv_term           TEXT,
    conv_content        TEXT,
    conv_utm_id         TEXT,
    conv_click_id       TEXT,
    conv_click_id_type  TEXT,
    conv_referrer       TEXT,
    conv_landing_page   TEXT,
    conv_at             INTEGER
) STRICT;

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- SHA-256 of the token; the token itself is never stored.
    sha256      BLOB    NOT NULL UNIQUE CHECK (length(sha256) = 32),
    created_at  INTEGER NOT NULL
) STRICT;

-- Foreign-key children (erasure cascades and SET NULL without scans) and owner filters.
CREATE INDEX persons_company ON persons (company_id);
CREATE INDEX persons_owner ON persons (owner_id);
-- "New leads in the period", with and without a status.
CREATE INDEX persons_created ON persons (created_at);
CREATE INDEX persons_status_created ON persons (status, created_at);
-- Criteria search and per-period counts by attribution: equality on one column, then the
-- period as a range on the same index (covering for counts).
CREATE INDEX persons_first_source ON persons (first_source, created_at);
CREATE INDEX persons_first_medium ON persons (first_medium, created_at);
CREATE INDEX persons_first_campaign ON persons (first_campaign, created_at);
CREATE INDEX persons_lead_source ON persons (lead_source, created_at);
CREATE INDEX persons_lead_medium ON persons (lead_medium, created_at);
CREATE INDEX persons_lead_campaign ON persons (lead_campaign, created_at);

-- A person's submissions in order; also the erasure cascade.
CREATE INDEX submissions_person ON submissions (person_id, created_at);
CREATE INDEX submissions_form ON submissions (form_id, created_at);
CREATE INDEX submissions_conv_source ON submissions (conv_source, created_at);
CREATE INDEX submissions_conv_medium ON submissions (conv_medium, created_at);
CREATE INDEX submissions_conv_campaign ON submissions (conv_campaign, created_at);

CREATE INDEX companies_src_source ON companies (src_source);
CREATE INDEX companies_src_medium ON companies (src_medium);
CREATE INDEX companies_src_campaign ON companies (src_campaign);
