-- 0009 — ids are never reused.
--
-- SQLite gives a new row the largest id in the table plus one, so erasing the newest
-- person would hand their id (and their submissions' ids) to the next one, while other
-- systems still hold the old ids. An erasure records the largest id it removed per table
-- here; inserts into persons and submissions start above it (see schema.rs, `next_id`).
CREATE TABLE id_floors (
    tbl    TEXT    NOT NULL PRIMARY KEY,
    floor  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
