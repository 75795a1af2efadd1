-- The day's new rows, computed into this connection's TEMP shadows (06_shadow_tables)
-- while the database was not locked, replace its old rows: this, with the monthly sums
-- (08, 30), is all the rollup does inside its write transaction, so ingest commits wait
-- for a few hundred milliseconds at most, even for a day of a million events.
DELETE FROM main.daily_site WHERE site_id = :site AND day = :day;
DELETE FROM main.hourly_site WHERE site_id = :site AND day = :day;
DELETE FROM main.daily_dimension WHERE site_id = :site AND day = :day;
INSERT INTO main.daily_site SELECT * FROM temp.daily_site WHERE site_id = :site AND day = :day;
INSERT INTO main.hourly_site SELECT * FROM temp.hourly_site WHERE site_id = :site AND day = :day;
INSERT INTO main.daily_dimension SELECT * FROM temp.daily_dimension WHERE site_id = :site AND day = :day
