-- The rollup's transaction only: TEMP tables searched last, so the daily tables' names mean
-- the real tables (the publish steps 08, 40, 30) while the day's new rows are written to
-- their TEMP shadows by name (pg_temp.daily_site …, 06_shadow_tables). A filtered report
-- keeps pg_temp first: there the stats queries read the shadows by the plain names.
SELECT set_config('search_path', concat_ws(', ', NULLIF(current_setting('search_path'), ''), 'pg_temp'), true)
