-- The usual batch (events only: nothing dropped, no opt-out to check) as ONE statement,
-- its own transaction: one round trip and one commit, where a transaction takes four
-- (BEGIN, COPY, the dirty marks, COMMIT). The events come as one array per column
-- ({columns} and {arrays} are put in by collector/storage/pg_write.py); their days get a
-- dirty mark each, as mark_dirty_days.sql does (an insert: no row another batch waits on).
WITH batch AS (SELECT * FROM unnest({arrays}) AS b({columns})),
     stored AS (INSERT INTO events ({columns}) SELECT {columns} FROM batch)
INSERT INTO dirty_marks (site_id, day)
SELECT DISTINCT site_id, day FROM batch
