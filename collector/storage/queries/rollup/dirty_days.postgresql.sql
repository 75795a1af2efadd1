-- The days batches marked dirty (collector/storage/pg_write.py): each with the ids of the
-- marks this statement sees.
SELECT site_id, day, array_agg(id) FROM dirty_marks GROUP BY site_id, day ORDER BY site_id, day
