-- A site-day's events as visit numbering reads them (01_visit_events), with the value an
-- interaction is counted under (22_dim_actions), so that step need not read the events
-- again. lower() of the search term folds ASCII letters only, as SQLite's does: both
-- backends count the same terms. A big day is done in :parts parts, each a share of its
-- visitors (collector/storage/pg_rollup.py); else :parts is 1.
SELECT id, visitor, ts_ms, kind, path, new_visit,
       CASE kind WHEN 'event' THEN event_category || ' / ' || event_action
                 WHEN 'search' THEN translate(search_query, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                                              'abcdefghijklmnopqrstuvwxyz')
                 WHEN 'outlink' THEN target WHEN 'download' THEN target END AS action
FROM events
WHERE site_id = :site::bigint AND day = :day::text AND abs(visitor % :parts::bigint) = :part::bigint
