-- The k best values of each of several months by one metric, in one round trip ({metric}
-- is one of a fixed list, put in by collector/storage/pg_stats.py; each has its own
-- index, which every month's LIMIT reads from the top). SQLite asks month by month
-- (breakdown_month_head.sql): it has no round trips to save.
SELECT m.month, h.value, h.metric
FROM unnest(:months::text[]) AS m(month)
CROSS JOIN LATERAL (
    SELECT value, {metric} AS metric FROM monthly_dimension
    WHERE site_id = :site AND dimension = :dimension AND month = m.month
    ORDER BY {metric} DESC
    LIMIT :k
) AS h
ORDER BY m.month, h.metric DESC
