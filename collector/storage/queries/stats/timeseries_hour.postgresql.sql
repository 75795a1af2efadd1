-- Bounces and durations are visit-level and not split by hour: 0 here.
SELECT day || 'T' || lpad(hour::text, 2, '0') AS slot, visitors, visits, pageviews, 0, 0, events
FROM hourly_site
WHERE site_id = :site AND day BETWEEN :from AND :to
ORDER BY day, hour
