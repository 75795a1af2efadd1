-- Before a day's rows are replaced: what its month's sums change by (its old rows out,
-- its new rows in), one row per (dimension, value) that changes; 30_month_add_day applies
-- it in one ordered upsert, so two nodes rolling up days of one month lock the month's
-- rows in the same order (no deadlock) and a day that did not change locks none.
CREATE TEMP TABLE _month_delta ON COMMIT DROP AS
SELECT dimension, value, SUM(visitors)::bigint AS visitors, SUM(visits)::bigint AS visits,
       SUM(pageviews)::bigint AS pageviews, SUM(entries)::bigint AS entries,
       SUM(exits)::bigint AS exits, SUM(bounces)::bigint AS bounces,
       SUM(duration_s)::bigint AS duration_s, SUM(events)::bigint AS events
FROM (
    SELECT dimension, value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
    FROM pg_temp.daily_dimension WHERE site_id = :site::bigint AND day = :day::text
    UNION ALL
    SELECT dimension, value, -visitors, -visits, -pageviews, -entries, -exits, -bounces,
           -duration_s, -events
    FROM daily_dimension WHERE site_id = :site::bigint AND day = :day::text
) AS d
GROUP BY dimension, value
HAVING SUM(visitors) <> 0 OR SUM(visits) <> 0 OR SUM(pageviews) <> 0 OR SUM(entries) <> 0
    OR SUM(exits) <> 0 OR SUM(bounces) <> 0 OR SUM(duration_s) <> 0 OR SUM(events) <> 0
