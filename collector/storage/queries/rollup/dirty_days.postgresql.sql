-- The days batches marked dirty (collector/storage/pg_write.py), with their marks' versions.
SELECT site_id, day, version FROM dirty_days ORDER BY site_id, day
