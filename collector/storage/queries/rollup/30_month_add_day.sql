-- After a day's rows are written: add them to its month's sums, and drop the month's rows
-- that no day contributes to any more.
INSERT INTO main.monthly_dimension
SELECT site_id, substr(day, 1, 7), dimension, value, visitors, visits, pageviews, entries,
       exits, bounces, duration_s, events
FROM main.daily_dimension WHERE site_id = :site AND day = :day AND true
ON CONFLICT (site_id, month, dimension, value) DO UPDATE SET
    visitors = visitors + excluded.visitors, visits = visits + excluded.visits,
    pageviews = pageviews + excluded.pageviews, entries = entries + excluded.entries,
    exits = exits + excluded.exits, bounces = bounces + excluded.bounces,
    duration_s = duration_s + excluded.duration_s, events = events + excluded.events;
DELETE FROM main.monthly_dimension
WHERE site_id = :site AND month = substr(:day, 1, 7) AND visitors = 0 AND visits = 0
  AND pageviews = 0 AND entries = 0 AND exits = 0 AND bounces = 0 AND duration_s = 0 AND events = 0
