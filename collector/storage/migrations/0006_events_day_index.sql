-- The raw events' day index without the visitor and time columns: an insert then adds to
-- the end of its (site, day) run instead of a random place in it, which made the index a
-- third of the writer's work per beacon. The rollup sorts a day's events by visitor itself
-- (rollup/01_day_events.sql), once a day, instead of every insert paying for that order.
DROP INDEX events_site_day;
CREATE INDEX events_site_day ON events (site_id, day);
