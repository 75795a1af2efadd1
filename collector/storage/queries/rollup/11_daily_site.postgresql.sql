-- Visitors counted per visitor first (a hash, where COUNT(DISTINCT) would sort).
INSERT INTO pg_temp.daily_site (site_id, day, visitors, visits, pageviews, bounces, duration_s, events)
SELECT :site::bigint, :day::text, COUNT(*), SUM(visits), SUM(pageviews), SUM(bounces),
       SUM(duration_s), SUM(events)
FROM (
    SELECT visitor, COUNT(*) AS visits, SUM(pageviews) AS pageviews, SUM(bounce) AS bounces,
           SUM(duration_s) AS duration_s, SUM(events) AS events
    FROM _visits
    GROUP BY visitor
) AS v
HAVING COUNT(*) > 0
