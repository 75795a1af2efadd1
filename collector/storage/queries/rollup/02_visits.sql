-- One row per visit: its time span, counts, entry and exit pages, and the attributes of
-- its first event (source, campaign, device…), with its channel.
CREATE TEMP TABLE _visits AS
WITH spans AS (
    SELECT visitor, visit_no, MAX(CASE WHEN is_start THEN id END) AS first_id,
           MIN(ts_ms) AS start_ms, MAX(ts_ms) AS end_ms,
           SUM(kind = 'pageview') AS pageviews,
           SUM(kind IN ('event', 'outlink', 'download', 'search', 'content', 'goal')) AS events
    FROM _visit_events
    GROUP BY visitor, visit_no
),
pages AS (
    SELECT visitor, visit_no, path,
           ROW_NUMBER() OVER (PARTITION BY visitor, visit_no ORDER BY ts_ms, id) AS from_start,
           ROW_NUMBER() OVER (PARTITION BY visitor, visit_no ORDER BY ts_ms DESC, id DESC) AS from_end
    FROM _visit_events
    WHERE kind = 'pageview'
)
SELECT s.visitor, s.visit_no, s.start_ms, s.end_ms,
       (s.end_ms - s.start_ms) / 1000 AS duration_s,
       s.pageviews, s.events,
       (s.pageviews = 1 AND s.events = 0) AS bounce,
       ((s.start_ms + CASE WHEN s.start_ms >= :switch_ms THEN :offset2_ms ELSE :offset1_ms END)
        / 3600000) % 24 AS hour,
       entry.path AS entry_path, leave.path AS exit_path,
       e.referrer_host, e.utm_source, e.utm_medium, e.utm_campaign,
       collector_channel(e.referrer_host, e.utm_source, e.utm_medium, e.utm_campaign) AS channel,
       e.browser, e.os, e.device, e.screen, e.language, e.country
FROM spans AS s
JOIN events AS e ON e.id = s.first_id
LEFT JOIN pages AS entry ON entry.visitor = s.visitor AND entry.visit_no = s.visit_no AND entry.from_start = 1
LEFT JOIN pages AS leave ON leave.visitor = s.visitor AND leave.visit_no = s.visit_no AND leave.from_end = 1
