-- Pages: views, the visits and visitors that saw them, and how often each was the entry or
-- exit page (a bounce is counted on its only page; a visit's exit is its page view
-- numbered exit_pv). Grouped per page and visitor (a hash, where COUNT(DISTINCT) would
-- sort), the visitor's visits that saw the page as the bits of a mask; the views of a
-- visitor with more than 64 visits that day are counted visit by visit where they need
-- to be (past its 64th).
INSERT INTO pg_temp.daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews,
                                     entries, exits, bounces, duration_s, events)
SELECT :site::bigint, 'pages', :day::text, p.path, p.visitors, p.visits, p.pageviews,
       COALESCE(en.n, 0), COALESCE(ex.n, 0), COALESCE(en.b, 0), 0, 0
FROM (
    SELECT path, COUNT(*) AS visitors, SUM(visits) AS visits, SUM(views) AS pageviews
    FROM (
        SELECT path, visitor, length(replace(visits::bit(64)::text, '0', '')) AS visits, views
        FROM (
            SELECT path, visitor, COUNT(*) AS views, MAX(visit_no) AS last,
                   bit_or(CASE WHEN visit_no <= 64 THEN 1::bigint << (visit_no - 1) ELSE 0 END) AS visits
            FROM _visit_events
            WHERE kind = 'pageview' AND path IS NOT NULL
            GROUP BY path, visitor
        ) AS masked
        WHERE last <= 64
        UNION ALL
        SELECT path, visitor, COUNT(DISTINCT visit_no), COUNT(*)
        FROM _visit_events
        WHERE kind = 'pageview' AND path IS NOT NULL
          AND visitor IN (SELECT visitor FROM _visits WHERE visit_no > 64)
        GROUP BY path, visitor
        HAVING MAX(visit_no) > 64
    ) AS per_visitor
    GROUP BY path
) AS p
LEFT JOIN (SELECT entry_path, COUNT(*) AS n, SUM(bounce) AS b FROM _visits GROUP BY entry_path) AS en
       ON en.entry_path = p.path
LEFT JOIN (
    SELECT e.path, COUNT(*) AS n
    FROM _visits AS v
    JOIN _visit_events AS e ON e.visitor = v.visitor AND e.pv = v.exit_pv AND e.kind = 'pageview'
    GROUP BY e.path
) AS ex ON ex.path = p.path
