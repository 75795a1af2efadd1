-- Remove the raw events one exclusion rule matches (see matching_days.postgresql.sql) and
-- count what went, per day: the count is of the rows this statement deleted, so the days
-- re-rolled are exactly the days touched, whatever committed meanwhile.
WITH gone AS (
    DELETE FROM events
    WHERE site_id = :site
      AND ((:kind::text = 'path' AND split_part(path, '?', 1) ~ :regex::text)
        OR (:kind::text = 'referrer' AND (referrer_host = :host::text
                                          OR right(referrer_host, length(:dot_host::text)) = :dot_host::text)))
    RETURNING day
)
SELECT day, COUNT(*) FROM gone GROUP BY day ORDER BY day
