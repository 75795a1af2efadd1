-- Per local hour: distinct visitors active (each counted at its first event in the hour),
-- visits starting, page views and events.
INSERT INTO pg_temp.hourly_site (site_id, day, hour, visitors, visits, pageviews, events)
SELECT :site::bigint, :day::text, hour, COUNT(*) FILTER (WHERE first_in_hour), SUM(is_start),
       COUNT(*) FILTER (WHERE kind = 'pageview'),
       COUNT(*) FILTER (WHERE kind IN ('event', 'outlink', 'download', 'search', 'content', 'goal'))
FROM _visit_events
GROUP BY hour
