-- The last minutes straight from raw events (not yet rolled up).
SELECT COUNT(DISTINCT visitor), COALESCE(SUM(kind = 'pageview'), 0)
FROM events
WHERE site_id = :site AND ts_ms >= :since_ms
