-- Recompute a site's monthly sums for months :first..:last (YYYY-MM) from the daily rows,
-- after days were removed outside the rollup (retention, erasure); as rebuild_months.sql,
-- with the parameters typed where PostgreSQL cannot tell (:first || '-01').
DELETE FROM monthly_dimension WHERE site_id = :site AND month BETWEEN :first::text AND :last::text;
INSERT INTO monthly_dimension
SELECT site_id, substr(day, 1, 7), dimension, value, SUM(visitors), SUM(visits), SUM(pageviews),
       SUM(entries), SUM(exits), SUM(bounces), SUM(duration_s), SUM(events)
FROM daily_dimension
WHERE site_id = :site AND day BETWEEN :first::text || '-01' AND :last::text || '-31'
GROUP BY site_id, substr(day, 1, 7), dimension, value
