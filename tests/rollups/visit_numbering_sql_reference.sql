-- The SQL the rollup used to number visits with (four window passes), kept as an oracle for
-- tests/rollups/test_visit_numbering.py: the Python pass must give the same rows.
-- The day's events with orphan heartbeats removed and each event numbered into visits.
-- A visit starts at a visitor's first event of the day, after 30 minutes without an
-- event, or on new_visit=1. A heartbeat (ping) extends a visit but never starts one: a
-- ping more than 30 minutes after the previous event, and every ping after it until the
-- next non-ping event, is dropped; so are pings before the visitor's first non-ping event
-- of the day (the day boundary splits visits at midnight in the site's time zone).
-- Paths lose their campaign keys here (the campaign is in its own columns), so a page
-- reached from a newsletter counts as the same page.
CREATE TEMP TABLE _visit_events AS
WITH ev AS (
    SELECT id, visitor, ts_ms, kind,
           CASE WHEN instr(path, '?') > 0 THEN collector_page(path) ELSE path END AS path,
           new_visit, ts_ms - LAG(ts_ms) OVER w AS gap,
           SUM(kind <> 'ping') OVER (w ROWS UNBOUNDED PRECEDING) AS seg
    FROM events
    WHERE site_id = :site AND day = :day
    WINDOW w AS (PARTITION BY visitor ORDER BY ts_ms, id)
),
flagged AS (
    SELECT *, MAX(kind = 'ping' AND (gap IS NULL OR gap > 1800000)) OVER (
               PARTITION BY visitor, seg ORDER BY ts_ms, id ROWS UNBOUNDED PRECEDING) AS orphan
    FROM ev
),
kept AS (
    SELECT id, visitor, ts_ms, kind, path, new_visit,
           ts_ms - LAG(ts_ms) OVER (PARTITION BY visitor ORDER BY ts_ms, id) AS gap
    FROM flagged
    WHERE seg > 0 AND NOT (kind = 'ping' AND orphan)
)
SELECT id, visitor, ts_ms, kind, path, is_start,
       SUM(is_start) OVER (PARTITION BY visitor ORDER BY ts_ms, id ROWS UNBOUNDED PRECEDING) AS visit_no
FROM (
    SELECT *, (gap IS NULL OR gap > 1800000 OR (new_visit = 1 AND kind <> 'ping')) AS is_start
    FROM kept
)
