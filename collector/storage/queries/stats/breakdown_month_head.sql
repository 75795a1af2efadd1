-- The k best values of one month by one metric ({metric} is one of a fixed list, put in
-- by collector/storage/sqlite_topn.py; each has its own index).
SELECT value, {metric} FROM monthly_dimension
WHERE site_id = :site AND dimension = :dimension AND month = :month
ORDER BY {metric} DESC
LIMIT :k
