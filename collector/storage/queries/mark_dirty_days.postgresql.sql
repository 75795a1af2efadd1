-- The days a batch (or an exclusion, an erasure) changed are dirty: one mark each, only
-- ever inserted (0004_dirty_marks.sql), so concurrent batches of one day never wait on
-- each other; the rollup deletes the marks it saw (collector/storage/pg_rollup.py).
INSERT INTO dirty_marks (site_id, day)
SELECT * FROM unnest($1::bigint[], $2::text[])
