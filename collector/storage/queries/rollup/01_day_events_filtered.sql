-- Filtered reports only: 01_day_events for just the visitors who have, that day, an event
-- matching each filter given (a NULL filter matches all). A visit matches a filter only if
-- its visitor has such an event, so this is a superset of what 05_filter_visits keeps, and
-- numbering visits for these visitors alone gives the same visits: a selective filter no
-- longer costs a rollup of the whole day.
SELECT id, visitor, ts_ms, kind,
       CASE WHEN instr(path, '?') > 0 THEN collector_page(path) ELSE path END AS path, new_visit
FROM events
WHERE site_id = :site AND day = :day
  AND (:f_page IS NULL OR visitor IN (
        SELECT visitor FROM events
        WHERE site_id = :site AND day = :day AND kind = 'pageview'
          AND (CASE WHEN instr(path, '?') > 0 THEN collector_page(path) ELSE path END) = :f_page))
  AND (:f_referrer IS NULL OR visitor IN (
        SELECT visitor FROM events WHERE site_id = :site AND day = :day AND referrer_host = :f_referrer))
  AND (:f_country IS NULL OR visitor IN (
        SELECT visitor FROM events WHERE site_id = :site AND day = :day AND country = :f_country))
  AND (:f_device IS NULL OR visitor IN (
        SELECT visitor FROM events WHERE site_id = :site AND day = :day AND device = :f_device))
  AND (:f_utm_campaign IS NULL OR visitor IN (
        SELECT visitor FROM events WHERE site_id = :site AND day = :day AND utm_campaign = :f_utm_campaign))
ORDER BY visitor, ts_ms, id
