-- A day is recomputed whole: its old rows go in the same transaction as the new ones.
DELETE FROM daily_site WHERE site_id = :site AND day = :day;
DELETE FROM hourly_site WHERE site_id = :site AND day = :day;
DELETE FROM daily_dimension WHERE site_id = :site AND day = :day;
