-- The month's sums change by the day's delta (08_month_remove_day), in (dimension, value)
-- order; the rows it left at zero (no day contributes to them any more) go.
INSERT INTO monthly_dimension (site_id, month, dimension, value, visitors, visits, pageviews,
                               entries, exits, bounces, duration_s, events)
SELECT :site::bigint, substr(:day::text, 1, 7), dimension, value, visitors, visits, pageviews,
       entries, exits, bounces, duration_s, events
FROM _month_delta
ORDER BY dimension, value
ON CONFLICT (site_id, month, dimension, value) DO UPDATE SET
    visitors = monthly_dimension.visitors + excluded.visitors,
    visits = monthly_dimension.visits + excluded.visits,
    pageviews = monthly_dimension.pageviews + excluded.pageviews,
    entries = monthly_dimension.entries + excluded.entries,
    exits = monthly_dimension.exits + excluded.exits,
    bounces = monthly_dimension.bounces + excluded.bounces,
    duration_s = monthly_dimension.duration_s + excluded.duration_s,
    events = monthly_dimension.events + excluded.events;
DELETE FROM monthly_dimension AS m USING _month_delta AS d
WHERE m.site_id = :site::bigint AND m.month = substr(:day::text, 1, 7)
  AND m.dimension = d.dimension AND m.value = d.value
  AND m.visitors = 0 AND m.visits = 0 AND m.pageviews = 0 AND m.entries = 0 AND m.exits = 0
  AND m.bounces = 0 AND m.duration_s = 0 AND m.events = 0
