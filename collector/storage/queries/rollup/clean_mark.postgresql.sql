-- The marks the rollup saw, and only those: a batch committed meanwhile keeps its own, and
-- the next rollup redoes the day.
DELETE FROM dirty_marks WHERE site_id = :site::bigint AND day = :day::text AND id = ANY(:ids::bigint[])
