-- Interactions by what they were: events (category / action), outlinks, downloads,
-- site searches.
INSERT INTO daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews, entries,
                             exits, bounces, duration_s, events)
SELECT :site, dimension, :day, value, COUNT(DISTINCT visitor),
       COUNT(DISTINCT visitor || ':' || visit_no), 0, 0, 0, 0, 0, COUNT(*)
FROM (
    SELECT CASE e.kind WHEN 'event' THEN 'events' WHEN 'outlink' THEN 'outlinks'
                       WHEN 'download' THEN 'downloads' ELSE 'searches' END AS dimension,
           CASE e.kind WHEN 'event' THEN e.event_category || ' / ' || e.event_action
                       WHEN 'search' THEN lower(e.search_query) ELSE e.target END AS value,
           ve.visitor, ve.visit_no
    FROM _visit_events AS ve
    JOIN events AS e ON e.id = ve.id
    WHERE ve.kind IN ('event', 'outlink', 'download', 'search')
)
WHERE value IS NOT NULL
GROUP BY dimension, value
