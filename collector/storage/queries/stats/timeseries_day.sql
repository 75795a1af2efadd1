SELECT day, visitors, visits, pageviews, bounces, duration_s, events
FROM daily_site
WHERE site_id = :site AND day BETWEEN :from AND :to
ORDER BY day
