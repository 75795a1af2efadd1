-- The day is clean if no batch marked it since its version was read; else the mark stays
-- and the next rollup redoes the day.
DELETE FROM dirty_days WHERE site_id = :site::bigint AND day = :day::text AND version = :version::bigint
