-- Before a day's rows are replaced: take its old rows out of its month's sums.
INSERT INTO main.monthly_dimension
SELECT site_id, substr(day, 1, 7), dimension, value, -visitors, -visits, -pageviews, -entries,
       -exits, -bounces, -duration_s, -events
FROM main.daily_dimension WHERE site_id = :site AND day = :day AND true
ON CONFLICT (site_id, month, dimension, value) DO UPDATE SET
    visitors = visitors + excluded.visitors, visits = visits + excluded.visits,
    pageviews = pageviews + excluded.pageviews, entries = entries + excluded.entries,
    exits = exits + excluded.exits, bounces = bounces + excluded.bounces,
    duration_s = duration_s + excluded.duration_s, events = events + excluded.events
