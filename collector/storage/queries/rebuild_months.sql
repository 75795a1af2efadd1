-- Recompute a site's monthly sums for months :first..:last (YYYY-MM) from the daily rows,
-- after days were removed outside the rollup (retention, erasure).
DELETE FROM monthly_dimension WHERE site_id = :site AND month BETWEEN :first AND :last;
INSERT INTO monthly_dimension
SELECT site_id, substr(day, 1, 7), dimension, value, SUM(visitors), SUM(visits), SUM(pageviews),
       SUM(entries), SUM(exits), SUM(bounces), SUM(duration_s), SUM(events)
FROM daily_dimension
WHERE site_id = :site AND day BETWEEN :first || '-01' AND :last || '-31'
GROUP BY site_id, substr(day, 1, 7), dimension, value
