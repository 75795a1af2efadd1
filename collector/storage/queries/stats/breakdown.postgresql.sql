-- Top values of one dimension over a range. :order names the metric to rank by
-- (visitors, pageviews, entries, exits or events); :min_entries/:min_exits keep only
-- entry or exit pages for those reports. Ties by value in code-point order, as on SQLite
-- (and in collector/storage/topn.py).
SELECT value, SUM(visitors) AS visitors, SUM(visits) AS visits, SUM(pageviews) AS pageviews,
       SUM(entries) AS entries, SUM(exits) AS exits, SUM(bounces) AS bounces,
       SUM(duration_s) AS duration_s, SUM(events) AS events
FROM daily_dimension
WHERE site_id = :site AND dimension = :dimension AND day BETWEEN :from AND :to
GROUP BY value
HAVING SUM(entries) >= :min_entries::bigint AND SUM(exits) >= :min_exits::bigint
ORDER BY CASE :order::text WHEN 'pageviews' THEN SUM(pageviews) WHEN 'entries' THEN SUM(entries)
                           WHEN 'exits' THEN SUM(exits) WHEN 'events' THEN SUM(events)
                           ELSE SUM(visitors) END DESC, value COLLATE "C"
LIMIT :limit OFFSET :offset
