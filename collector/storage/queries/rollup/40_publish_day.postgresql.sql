-- The day's new rows, computed into the TEMP shadows (06_shadow_tables), replace its old
-- rows, in the transaction that computed them: readers see the old day or the new one.
-- (The plain names are the real tables here: 00_temp_last.)
DELETE FROM daily_site WHERE site_id = :site::bigint AND day = :day::text;
DELETE FROM hourly_site WHERE site_id = :site::bigint AND day = :day::text;
DELETE FROM daily_dimension WHERE site_id = :site::bigint AND day = :day::text;
INSERT INTO daily_site SELECT * FROM pg_temp.daily_site;
INSERT INTO hourly_site SELECT * FROM pg_temp.hourly_site;
INSERT INTO daily_dimension SELECT * FROM pg_temp.daily_dimension
