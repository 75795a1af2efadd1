-- Pages: views, the visits and visitors that saw them, and how often each was the
-- entry or exit page (a bounce is counted on its only page).
INSERT INTO daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews, entries,
                             exits, bounces, duration_s, events)
SELECT :site, 'pages', :day, p.path, COUNT(DISTINCT p.visitor),
       COUNT(DISTINCT p.visitor || ':' || p.visit_no), COUNT(*),
       COALESCE(MAX(en.n), 0), COALESCE(MAX(ex.n), 0), COALESCE(MAX(en.b), 0), 0, 0
FROM _visit_events AS p
LEFT JOIN (SELECT entry_path, COUNT(*) AS n, SUM(bounce) AS b FROM _visits GROUP BY entry_path) AS en
       ON en.entry_path = p.path
LEFT JOIN (SELECT exit_path, COUNT(*) AS n FROM _visits GROUP BY exit_path) AS ex
       ON ex.exit_path = p.path
WHERE p.kind = 'pageview' AND p.path IS NOT NULL
GROUP BY p.path
