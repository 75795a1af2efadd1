-- A site-day's events in the order visits are numbered in (collector/storage/sqlite_visits.py):
-- by visitor, then time, then id — the events_site_day index's order, so no sort. Paths lose
-- their campaign keys here (the campaign is in its own columns), so a page reached from a
-- newsletter counts as the same page.
SELECT id, visitor, ts_ms, kind,
       CASE WHEN instr(path, '?') > 0 THEN collector_page(path) ELSE path END AS path, new_visit
FROM events
WHERE site_id = :site AND day = :day
ORDER BY visitor, ts_ms, id
