-- 0002 — working the leads: status history, owners, sales, selections, consent,
-- and external ids that make imports idempotent. Times are Unix milliseconds (UTC).

-- Owners are associates; an e-mail identifies one when given.
CREATE UNIQUE INDEX associates_email ON associates (email) WHERE email IS NOT NULL;

-- Every change of a person's lead status, with its time: the funnel tile counts persons by
-- the furthest status they reached. A new person is `open` without a row here.
CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    status      TEXT    NOT NULL
                CHECK (status = 'open' OR status = 'in_progress'
                       OR status = 'qualified' OR status = 'disqualified'),
    changed_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX status_changes_person ON status_changes (person_id, changed_at);

-- Sales (opportunities). Amounts are integers in the currency's minor unit (cents), so that
-- sums are exact. Erasing a person keeps the sale and its amount but drops the link.
CREATE TABLE sales (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    company_id    INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    title         TEXT    NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    status        TEXT    NOT NULL CHECK (status = 'open' OR status = 'won' OR status = 'lost'),
    -- When the sale happened (given, or the time it was created).
    at            INTEGER NOT NULL,
    -- When it was won or lost.
    closed_at     INTEGER,
    external_id   TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX sales_person ON sales (person_id);
CREATE INDEX sales_company ON sales (company_id);
CREATE INDEX sales_status_at ON sales (status, at);
CREATE UNIQUE INDEX sales_external_id ON sales (external_id) WHERE external_id IS NOT NULL;

-- Saved selections: static ones keep their members; dynamic ones keep only their criteria
-- (a JSON tree, re-evaluated on every read).
CREATE TABLE selections (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    entity      TEXT    NOT NULL CHECK (entity = 'person' OR entity = 'company'),
    kind        TEXT    NOT NULL CHECK (kind = 'static' OR kind = 'dynamic'),
    criteria    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(criteria)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Members of static selections: person or company ids by the selection's entity (no foreign
-- key can say which, so erasing a person deletes its rows here explicitly).
CREATE TABLE selection_members (
    selection_id  INTEGER NOT NULL REFERENCES selections (id) ON DELETE CASCADE,
    member_id     INTEGER NOT NULL,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (selection_id, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX selection_members_member ON selection_members (member_id);

-- Consent to a purpose (attribution data is shown under the "e-marketing" purpose), given or withdrawn,
-- when and through which form. The latest row per person and purpose is in force.
CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    purpose        TEXT    NOT NULL DEFAULT 'e_marketing',
    given          INTEGER NOT NULL CHECK (given = 0 OR given = 1),
    at             INTEGER NOT NULL,
    form_id        INTEGER REFERENCES forms (id),
    submission_id  INTEGER REFERENCES submissions (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX consents_person ON consents (person_id, purpose, at);

-- Imports are idempotent by the source system's ids.
ALTER TABLE persons ADD COLUMN external_id TEXT;
-- Last change through the API (status, owner, country, name); NULL until the first.
ALTER TABLE persons ADD COLUMN updated_at INTEGER;
CREATE UNIQUE INDEX persons_external_id ON persons (external_id) WHERE external_id IS NOT NULL;
ALTER TABLE submissions ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX submissions_external_id ON submissions (external_id) WHERE external_id IS NOT NULL;

-- The e-marketing consent in force (the latest row of `consents` by time), kept on the
-- person so that reading a person stays one row lookup: NULL = never stated, 1 given,
-- 0 withdrawn.
ALTER TABLE persons ADD COLUMN consent_e_marketing INTEGER
    CHECK (consent_e_marketing = 0 OR consent_e_marketing = 1);
ALTER TABLE persons ADD COLUMN consent_e_marketing_at INTEGER;
ALTER TABLE persons ADD COLUMN consent_e_marketing_form_id INTEGER REFERENCES forms (id);

-- Owner and country filters of search and tiles.
CREATE INDEX persons_country_created ON persons (country, created_at);
CREATE INDEX persons_owner_created ON persons (owner_id, created_at);
