-- 0014 — forms get settings: a display name and whether UTM capture is on. Forms are
-- registered by their first submission (writer.rs), so every form with submissions has a
-- row already; existing forms keep capturing, as they always did.
--
-- A submission records whether capture was on when it arrived: with it off, the
-- conversion touch is empty on purpose, and the person card says so.
--
-- The last submission and the field names a form was seen with are not stored: the index
-- submissions_form (form_id, created_at) answers the former, the form's latest payloads
-- the latter, so a form post pays for none of it.
ALTER TABLE forms ADD COLUMN name TEXT;
ALTER TABLE forms ADD COLUMN utm_capture INTEGER NOT NULL DEFAULT 1 CHECK (utm_capture IN (0, 1));
ALTER TABLE submissions ADD COLUMN utm_capture INTEGER NOT NULL DEFAULT 1
    CHECK (utm_capture IN (0, 1));
