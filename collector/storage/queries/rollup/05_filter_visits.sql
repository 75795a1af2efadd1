-- Filtered reports only: keep the visits that match every filter given (a NULL filter
-- matches all; IS, not =, so a NULL attribute never matches), then those visits' events.
CREATE INDEX _visit_events_visit ON _visit_events (visitor, visit_no, kind, path);
DELETE FROM _visits WHERE NOT (
    (:f_referrer IS NULL OR referrer_host IS :f_referrer)
    AND (:f_country IS NULL OR country IS :f_country)
    AND (:f_device IS NULL OR device IS :f_device)
    AND (:f_utm_campaign IS NULL OR utm_campaign IS :f_utm_campaign)
    AND (:f_page IS NULL OR EXISTS (
        SELECT 1 FROM _visit_events AS e
        WHERE e.visitor = _visits.visitor AND e.visit_no = _visits.visit_no
          AND e.kind = 'pageview' AND e.path = :f_page))
);
CREATE INDEX _visits_visit ON _visits (visitor, visit_no);
DELETE FROM _visit_events WHERE NOT EXISTS (
    SELECT 1 FROM _visits AS v WHERE v.visitor = _visit_events.visitor AND v.visit_no = _visit_events.visit_no
)
