-- The day's distinct paths with a query string: collector/storage/pg_rollup.py strips
-- their campaign keys (collector.rollups.channels.page) into _page_map.
SELECT DISTINCT path FROM _visit_events WHERE strpos(path, '?') > 0
