SELECT substr(day, 1, 7) AS month, SUM(visitors), SUM(visits), SUM(pageviews), SUM(bounces),
       SUM(duration_s), SUM(events)
FROM daily_site
WHERE site_id = :site AND day BETWEEN :from AND :to
GROUP BY month
ORDER BY month
