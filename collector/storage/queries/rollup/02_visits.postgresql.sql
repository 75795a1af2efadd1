-- One row per visit: its time span, counts, entry page and the number of its last page
-- view (exit_pv: 21_dim_pages finds its path), the attributes of its first event (source,
-- campaign, device…), and whether it is its visitor's only visit of the day (the first,
-- holding the visitor's last event: 20_dim_visit_attributes counts those visitors without
-- telling them apart). Its channel is computed in Python from `source` (the first event's
-- referrer and campaign, as one exact key) into _channels.
CREATE TEMP TABLE _visits (
    visitor BIGINT, visit_no INTEGER, start_ms BIGINT, end_ms BIGINT, duration_s INTEGER,
    pageviews INTEGER, events INTEGER, bounce INTEGER, hour INTEGER, entry_path TEXT,
    exit_pv INTEGER, referrer_host TEXT, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT,
    source TEXT, browser TEXT, os TEXT, device TEXT, screen TEXT, language TEXT, country TEXT,
    only_visit BOOLEAN
) ON COMMIT DROP;
INSERT INTO _visits
SELECT s.visitor, s.visit_no, s.start_ms, s.end_ms, (s.end_ms - s.start_ms) / 1000, s.pageviews,
       s.events, CASE WHEN s.pageviews = 1 AND s.events = 0 THEN 1 ELSE 0 END, s.hour, s.entry_path,
       s.exit_pv, e.referrer_host, e.utm_source, e.utm_medium, e.utm_campaign,
       ROW(e.referrer_host, e.utm_source, e.utm_medium, e.utm_campaign)::text,
       e.browser, e.os, e.device, e.screen, e.language, e.country,
       s.visit_no = 1 AND s.visitor_last
FROM (
    SELECT visitor, visit_no, MAX(id) FILTER (WHERE is_start = 1) AS first_id,
           MIN(ts_ms) AS start_ms, MAX(ts_ms) AS end_ms,
           COUNT(*) FILTER (WHERE kind = 'pageview') AS pageviews,
           COUNT(*) FILTER (WHERE kind IN ('event', 'outlink', 'download', 'search', 'content', 'goal'))
               AS events,
           MAX(path) FILTER (WHERE is_entry) AS entry_path,
           MAX(pv) FILTER (WHERE kind = 'pageview') AS exit_pv,
           MAX(hour) FILTER (WHERE is_start = 1) AS hour, bool_or(visitor_last) AS visitor_last
    FROM _visit_events
    GROUP BY visitor, visit_no
) AS s
JOIN (
    -- the visits' first events (found by id among the day's events)
    SELECT id, referrer_host, utm_source, utm_medium, utm_campaign, browser, os, device, screen,
           language, country
    FROM events
    WHERE site_id = :site::bigint AND day = :day::text
      AND id IN (SELECT id FROM _visit_events WHERE is_start = 1)
) AS e ON e.id = s.first_id;
ANALYZE _visits (visitor, visit_no, entry_path, exit_pv, source, only_visit)
