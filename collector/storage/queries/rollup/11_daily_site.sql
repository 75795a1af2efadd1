INSERT INTO daily_site (site_id, day, visitors, visits, pageviews, bounces, duration_s, events)
SELECT :site, :day, COUNT(DISTINCT visitor), COUNT(*), SUM(pageviews), SUM(bounce),
       SUM(duration_s), SUM(events)
FROM _visits
HAVING COUNT(*) > 0
