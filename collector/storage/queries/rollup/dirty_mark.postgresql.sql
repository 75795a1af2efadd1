-- A day's dirty mark, read before its events are: a batch committed after this bumps it.
SELECT version FROM dirty_days WHERE site_id = :site::bigint AND day = :day::text
