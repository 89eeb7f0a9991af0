-- 0007 — whose touch a company's source is.
--
-- A company's source is a copy of the lead-generation touch of the person it was created
-- with, and a touch may carry that person's data (a landing page `…?subscriber=<e-mail>`,
-- a term, a click id). Erasing the person scrubs that copy, and only that person's export
-- carries it; both need to know who it came from.
ALTER TABLE companies ADD COLUMN src_person_id INTEGER;

-- Earlier companies: the person created with the company (same time, same company; the
-- lowest id, since the creator is inserted first).
UPDATE companies SET src_person_id = (
    SELECT p.id FROM persons p
    WHERE p.company_id = companies.id AND p.created_at = companies.created_at
    ORDER BY p.id LIMIT 1
)
WHERE src_at IS NOT NULL OR src_source IS NOT NULL;
