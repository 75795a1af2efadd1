-- Totals over a range of days; visitors are daily distinct visitors summed.
SELECT COALESCE(SUM(visitors), 0), COALESCE(SUM(visits), 0), COALESCE(SUM(pageviews), 0),
       COALESCE(SUM(bounces), 0), COALESCE(SUM(duration_s), 0), COALESCE(SUM(events), 0)
FROM daily_site
WHERE site_id = :site AND day BETWEEN :from AND :to
