-- 0008 — e-mail identities in canonical form, look-alike company domains flagged.
--
-- Persons are matched by `email_key`, which is now canonical: the local part in Unicode's
-- compatibility form and lower-case, the domain in its IDNA (punycode) form. Keys stored
-- before were only lower-cased; the hook of this migration re-keys those that differ
-- (a key with non-ASCII characters), and company domains likewise.
ALTER TABLE companies ADD COLUMN domain_mixes_scripts INTEGER NOT NULL DEFAULT 0
    CHECK (domain_mixes_scripts = 0 OR domain_mixes_scripts = 1);
