-- Everything collected for a site over a range of its days (inclusive), as
-- erase_period.sql: raw events, the daily tables and the drop counters. The site, its
-- tokens and opt-outs stay. The first statement returns the raw events removed per day
-- (collector/storage/pg_exclusions.py marks those days dirty in the same transaction).
WITH gone AS (DELETE FROM events WHERE site_id = :site AND day BETWEEN :first::text AND :last::text RETURNING day)
SELECT day, COUNT(*) FROM gone GROUP BY day ORDER BY day;
DELETE FROM daily_site WHERE site_id = :site AND day BETWEEN :first::text AND :last::text;
DELETE FROM hourly_site WHERE site_id = :site AND day BETWEEN :first::text AND :last::text;
DELETE FROM daily_dimension WHERE site_id = :site AND day BETWEEN :first::text AND :last::text;
DELETE FROM dropped WHERE site_id = :site AND day BETWEEN :first::text AND :last::text
