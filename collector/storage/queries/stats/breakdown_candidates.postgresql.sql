-- Exact totals over a range for chosen values: whole months from monthly_dimension and
-- the remaining days from daily_dimension. Months, days and values come as arrays, so
-- every lookup is a primary-key probe.
SELECT value, SUM(visitors), SUM(visits), SUM(pageviews), SUM(entries), SUM(exits), SUM(bounces),
       SUM(duration_s), SUM(events)
FROM (
    SELECT value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
    FROM monthly_dimension
    WHERE site_id = :site::bigint AND month = ANY(:months::text[]) AND dimension = :dimension::text
      AND value = ANY(:values::text[])
    UNION ALL
    SELECT value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
    FROM daily_dimension
    WHERE site_id = :site::bigint AND dimension = :dimension::text AND day = ANY(:days::text[])
      AND value = ANY(:values::text[])
) AS c
GROUP BY value
