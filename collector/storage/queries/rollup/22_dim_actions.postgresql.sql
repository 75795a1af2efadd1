-- Interactions by what they were: events (category / action), outlinks, downloads,
-- site searches (the value taken in 01_day_events), counted per visit, then per visitor.
INSERT INTO pg_temp.daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews,
                                     entries, exits, bounces, duration_s, events)
SELECT :site::bigint, dimension, :day::text, value, COUNT(*), SUM(visits), 0, 0, 0, 0, 0, SUM(n)
FROM (
    SELECT dimension, value, visitor, COUNT(*) AS visits, SUM(n) AS n
    FROM (
        SELECT CASE kind WHEN 'event' THEN 'events' WHEN 'outlink' THEN 'outlinks'
                         WHEN 'download' THEN 'downloads' ELSE 'searches' END AS dimension,
               action AS value, visitor, visit_no, COUNT(*) AS n
        FROM _visit_events
        WHERE kind IN ('event', 'outlink', 'download', 'search') AND action IS NOT NULL
        GROUP BY 1, 2, visitor, visit_no
    ) AS per_visit
    GROUP BY dimension, value, visitor
) AS per_visitor
GROUP BY dimension, value
