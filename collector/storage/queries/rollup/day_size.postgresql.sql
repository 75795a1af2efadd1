-- How many events a site-day has (a big day is rolled up in parts).
SELECT count(*) FROM events WHERE site_id = :site::bigint AND day = :day::text
