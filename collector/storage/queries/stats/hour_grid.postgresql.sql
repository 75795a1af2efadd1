-- Visits by weekday (ISO: Monday 1 .. Sunday 7) and hour of the day, both in the site's
-- time zone (the rollup keys hourly_site by the site's local day and hour). Bounces and
-- durations are visit-level and not split by hour: 0 here.
SELECT EXTRACT(ISODOW FROM day::date)::integer AS weekday, hour,
       sum(visitors), sum(visits), sum(pageviews), 0, 0, sum(events)
FROM hourly_site
WHERE site_id = :site AND day BETWEEN :from AND :to
GROUP BY weekday, hour
ORDER BY weekday, hour
