-- 0017 — the journey a form post carried (`lt_journey`): the touches in order, each
-- cleaned as the post's two touches are, kept as core's compact journey text (one insert
-- per post, read per person). A person's journey up to their lead is the one their
-- creating submission carried. Erasing the person deletes these rows with the rest.
CREATE TABLE journeys (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
    person_id     INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    touches       TEXT    NOT NULL CHECK (length(touches) > 0)
) STRICT;
CREATE INDEX journeys_person ON journeys (person_id);
