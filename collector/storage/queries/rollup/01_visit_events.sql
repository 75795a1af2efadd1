-- The day's events numbered into visits, filled by collector/storage/sqlite_visits.py
-- (orphan heartbeats removed; is_start marks a visit's first event).
CREATE TEMP TABLE _visit_events (
    id INTEGER, visitor INTEGER, ts_ms INTEGER, kind TEXT, path TEXT, is_start INTEGER,
    visit_no INTEGER
)
