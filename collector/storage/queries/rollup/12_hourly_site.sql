-- Per local hour: distinct visitors active, visits starting, page views and events.
INSERT INTO hourly_site (site_id, day, hour, visitors, visits, pageviews, events)
SELECT :site, :day, hour, COUNT(DISTINCT visitor), SUM(is_start), SUM(kind = 'pageview'),
       SUM(kind IN ('event', 'outlink', 'download', 'search', 'content', 'goal'))
FROM (
    SELECT visitor, kind, is_start,
           ((ts_ms + CASE WHEN ts_ms >= :switch_ms THEN :offset2_ms ELSE :offset1_ms END)
               / 3600000) % 24 AS hour
    FROM _visit_events
)
GROUP BY hour
