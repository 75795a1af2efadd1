-- Filtered reports only: 01_day_events for just the visitors who have, that day, an event
-- that can match each filter given (a NULL filter matches all); 05_filter_visits then keeps
-- the visits that do. A page filter compares the path before its query string (campaign
-- keys are stripped from paths only after numbering): a superset, never fewer visitors.
SELECT id, visitor, ts_ms, kind, path, new_visit,
       CASE kind WHEN 'event' THEN event_category || ' / ' || event_action
                 WHEN 'search' THEN translate(search_query, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                                              'abcdefghijklmnopqrstuvwxyz')
                 WHEN 'outlink' THEN target WHEN 'download' THEN target END AS action
FROM events
WHERE site_id = :site::bigint AND day = :day::text
  AND (:f_page::text IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site::bigint AND day = :day::text AND kind = 'pageview'
          AND split_part(path, '?', 1) = split_part(:f_page::text, '?', 1)))
  AND (:f_referrer::text IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site::bigint AND day = :day::text AND referrer_host = :f_referrer::text))
  AND (:f_country::text IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site::bigint AND day = :day::text AND country = :f_country::text))
  AND (:f_device::text IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site::bigint AND day = :day::text AND device = :f_device::text))
  AND (:f_utm_campaign::text IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site::bigint AND day = :day::text AND utm_campaign = :f_utm_campaign::text))
