-- Filtered reports only (a rollup's TEMP tables go with its transaction): one day's work
-- tables, before the next day's.
DROP TABLE IF EXISTS _visit_events, _visits, _page_map, _channels
