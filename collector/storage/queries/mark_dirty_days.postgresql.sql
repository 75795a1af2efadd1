-- The days a batch wrote events to are dirty: the rollup redoes them. The version bump
-- tells a rollup that started before this commit that its day changed under it
-- (collector/storage/pg_rollup.py).
INSERT INTO dirty_days (site_id, day)
SELECT * FROM unnest($1::bigint[], $2::text[])
ON CONFLICT (site_id, day) DO UPDATE SET version = dirty_days.version + 1
