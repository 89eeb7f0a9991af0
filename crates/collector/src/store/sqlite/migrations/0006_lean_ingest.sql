-- 0006 — fewer indexes on the ingest path.
--
-- Every index is one more B-tree insert per form post on the single writer thread;
-- measured, each cost the writer ~0.8 µs of its ~34 µs per new person. These gave nothing
-- back:
-- * the channel indexes: a channel is one of ~15 fixed values, so a search on it matches
--   a large share of rows, and the planner pages through the rowid order instead (timed on
--   100k persons: 0.04–0.2 ms per page with or without them; a rare conversion channel
--   0.05 → 33 ms, the one case that got slower);
-- * persons_owner: persons_owner_created (owner_id, created_at) serves every lookup it did.
DROP INDEX persons_first_channel;
DROP INDEX persons_lead_channel;
DROP INDEX submissions_conv_channel;
DROP INDEX persons_owner;
