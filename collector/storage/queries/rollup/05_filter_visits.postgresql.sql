-- Filtered reports only: keep the visits that match every filter given (a NULL filter
-- matches all; IS NOT DISTINCT FROM, so a NULL attribute never matches), then those
-- visits' events, each visitor's first event in each hour found again among them.
DELETE FROM _visits AS v WHERE NOT (
    (:f_referrer::text IS NULL OR v.referrer_host IS NOT DISTINCT FROM :f_referrer::text)
    AND (:f_country::text IS NULL OR v.country IS NOT DISTINCT FROM :f_country::text)
    AND (:f_device::text IS NULL OR v.device IS NOT DISTINCT FROM :f_device::text)
    AND (:f_utm_campaign::text IS NULL OR v.utm_campaign IS NOT DISTINCT FROM :f_utm_campaign::text)
    AND (:f_page::text IS NULL OR EXISTS (
        SELECT 1 FROM _visit_events AS e
        WHERE e.visitor = v.visitor AND e.visit_no = v.visit_no
          AND e.kind = 'pageview' AND e.path = :f_page::text))
);
DELETE FROM _visit_events AS e WHERE NOT EXISTS (
    SELECT 1 FROM _visits AS v WHERE v.visitor = e.visitor AND v.visit_no = e.visit_no
);
UPDATE _visit_events AS e SET first_in_hour = f.first_in_hour
FROM (
    SELECT id, hour IS DISTINCT FROM LAG(hour) OVER (PARTITION BY visitor ORDER BY ts_ms, id)
               AS first_in_hour
    FROM _visit_events
) AS f
WHERE f.id = e.id AND e.first_in_hour IS DISTINCT FROM f.first_in_hour
