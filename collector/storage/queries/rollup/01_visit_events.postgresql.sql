-- The day's events numbered into visits: the rules of collector/storage/sqlite_visits.py
-- (docs/counting.md, "Visits") as window functions, every one over the same order (by
-- visitor, time, id), so the day is sorted once and each level reads the one below in
-- order. The day's events are 01_day_events (or its filtered form). Per visitor:
--   1. gap: ms since the previous event; seg: non-ping events so far (a ping belongs to the
--      segment of the non-ping before it; seg 0: pings before the first, all dropped);
--   2. bad_seg: the segment of the latest ping more than 30 minutes after the event before
--      it. Such a ping, and every ping after it in its segment, is an orphan (dropped).
--      A non-ping always stays; it starts a visit when it is the first, when more than 30
--      minutes passed, with new_visit=1, or when the event before it was a dropped ping
--      (then the last kept event is more than 30 minutes back, or there is none): so the
--      kept pings never start one;
--   3. visit_no: visits started so far; pv: page views so far, so a visit's page views are
--      numbered on, its first one (is_entry) next after those before its start; the local
--      hour, and whether the event is the visitor's first in it (hours only go forward in
--      a day); whether it is the visitor's last event of the day.
-- _page_map and _channels are filled from Python (collector/storage/pg_rollup.py).
CREATE TEMP TABLE _visit_events (
    id BIGINT, visitor BIGINT, ts_ms BIGINT, kind TEXT, path TEXT, is_start INTEGER,
    visit_no INTEGER, pv INTEGER, is_entry BOOLEAN, action TEXT, hour INTEGER,
    first_in_hour BOOLEAN, visitor_last BOOLEAN
) ON COMMIT DROP;
CREATE TEMP TABLE _page_map (path TEXT PRIMARY KEY, page TEXT) ON COMMIT DROP;
CREATE TEMP TABLE _channels (source TEXT PRIMARY KEY, channel TEXT NOT NULL) ON COMMIT DROP;
INSERT INTO _visit_events
SELECT id, visitor, ts_ms, kind, path, is_start, SUM(is_start) OVER w, pv,
       kind = 'pageview'
           AND pv = 1 + MAX(CASE WHEN is_start = 1 THEN pv - (kind = 'pageview')::integer END) OVER w,
       action, hour, hour IS DISTINCT FROM LAG(hour) OVER w, LEAD(id) OVER w IS NULL
FROM (
    SELECT id, visitor, ts_ms, kind, path, pv, action,
           ((ts_ms + CASE WHEN ts_ms >= :switch_ms::bigint THEN :offset2_ms::bigint
                          ELSE :offset1_ms::bigint END) / 3600000 % 24)::integer AS hour,
           CASE WHEN kind <> 'ping' AND (gap IS NULL OR gap > 1800000 OR new_visit = 1
                                         OR (prev_kind = 'ping' AND bad_seg = seg - 1))
                THEN 1 ELSE 0 END AS is_start
    FROM (
        SELECT *, MAX(CASE WHEN kind = 'ping' AND (gap IS NULL OR gap > 1800000) THEN seg END)
                      OVER w AS bad_seg
        FROM (
            SELECT ev.*, ts_ms - LAG(ts_ms) OVER w AS gap, LAG(kind) OVER w AS prev_kind,
                   COUNT(*) FILTER (WHERE kind <> 'ping') OVER w AS seg,
                   COUNT(*) FILTER (WHERE kind = 'pageview') OVER w AS pv
            FROM ({day_events}
            ) AS ev
            WINDOW w AS (PARTITION BY visitor ORDER BY ts_ms, id ROWS UNBOUNDED PRECEDING)
        ) AS gaps
        WINDOW w AS (PARTITION BY visitor ORDER BY ts_ms, id ROWS UNBOUNDED PRECEDING)
    ) AS segments
    WHERE seg > 0 AND (kind <> 'ping' OR bad_seg IS DISTINCT FROM seg)
) AS kept
WINDOW w AS (PARTITION BY visitor ORDER BY ts_ms, id ROWS UNBOUNDED PRECEDING);
ANALYZE _visit_events (id, visitor, visit_no, kind, path, pv, is_start)
