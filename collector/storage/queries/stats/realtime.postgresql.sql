-- The last minutes straight from raw events (not yet rolled up).
SELECT COUNT(DISTINCT visitor), COUNT(*) FILTER (WHERE kind = 'pageview')
FROM events
WHERE site_id = :site AND ts_ms >= :since_ms
