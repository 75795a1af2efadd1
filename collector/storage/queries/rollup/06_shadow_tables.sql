-- Filtered reports only: TEMP tables named like the daily tables shadow them on this
-- connection, so the rollup's inserts and the stats queries run unchanged on them.
CREATE TEMP TABLE IF NOT EXISTS daily_site AS SELECT * FROM main.daily_site WHERE 0;
CREATE TEMP TABLE IF NOT EXISTS hourly_site AS SELECT * FROM main.hourly_site WHERE 0;
CREATE TEMP TABLE IF NOT EXISTS daily_dimension AS SELECT * FROM main.daily_dimension WHERE 0
