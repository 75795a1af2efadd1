-- The parts' rows summed into the day's rows: the parts hold different visitors, so every
-- number, visitors too, is the sum of the parts'.
INSERT INTO pg_temp.daily_site
SELECT site_id, day, SUM(visitors), SUM(visits), SUM(pageviews), SUM(bounces), SUM(duration_s),
       SUM(events)
FROM _part_daily_site
GROUP BY site_id, day;
INSERT INTO pg_temp.hourly_site
SELECT site_id, day, hour, SUM(visitors), SUM(visits), SUM(pageviews), SUM(events)
FROM _part_hourly_site
GROUP BY site_id, day, hour;
INSERT INTO pg_temp.daily_dimension
SELECT site_id, dimension, day, value, SUM(visitors), SUM(visits), SUM(pageviews), SUM(entries),
       SUM(exits), SUM(bounces), SUM(duration_s), SUM(events)
FROM _part_daily_dimension
GROUP BY site_id, dimension, day, value
