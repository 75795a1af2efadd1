-- A day's dirty marks, read before its events are: every mark seen here was committed with
-- its batch's events, so the day computed next includes them (NULL: no mark).
SELECT array_agg(id) FROM dirty_marks WHERE site_id = :site::bigint AND day = :day::text
