-- 0011 — every consent statement keeps its evidence, and whether it took effect.
--
-- The public form endpoint lets anyone post any e-mail address, so a statement is
-- recorded with where it came from (the page's origin and the client's address) and is
-- applied only when the form may make it (the `form_consent` settings): a refused
-- statement stays as evidence of the attempt and changes nothing.
ALTER TABLE consents ADD COLUMN applied INTEGER NOT NULL DEFAULT 1 CHECK (applied = 0 OR applied = 1);
ALTER TABLE consents ADD COLUMN origin TEXT;
ALTER TABLE consents ADD COLUMN address TEXT;
