-- Exact totals over a range for chosen values: whole months from monthly_dimension and
-- the remaining days from daily_dimension. Months, days and values come as JSON lists so
-- every lookup is a primary-key seek (a BETWEEN on month or day would stop the seek there
-- and scan every value of those days).
WITH wanted(value) AS (SELECT value FROM json_each(:values)),
     months(month) AS (SELECT value FROM json_each(:months)),
     days(day) AS (SELECT value FROM json_each(:days))
SELECT value, SUM(visitors), SUM(visits), SUM(pageviews), SUM(entries), SUM(exits), SUM(bounces),
       SUM(duration_s), SUM(events)
FROM (
    SELECT value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
    FROM monthly_dimension
    WHERE site_id = :site AND month IN months AND dimension = :dimension AND value IN wanted
    UNION ALL
    SELECT value, visitors, visits, pageviews, entries, exits, bounces, duration_s, events
    FROM daily_dimension
    WHERE site_id = :site AND dimension = :dimension AND day IN days AND value IN wanted
)
GROUP BY value
