-- Raw events of a site that one exclusion rule matches, counted per day (as
-- matching_days.sql). PostgreSQL has no GLOB: :regex is the path rule's pattern as an
-- anchored regular expression (collector/storage/pg_exclusions.py, glob_to_regex), matched
-- on the path without what follows '?'; :host matches the referrer host or any subdomain
-- of it (:dot_host is '.' || :host).
SELECT day, COUNT(*) FROM events
WHERE site_id = :site
  AND ((:kind::text = 'path' AND split_part(path, '?', 1) ~ :regex::text)
    OR (:kind::text = 'referrer' AND (referrer_host = :host::text
                                      OR right(referrer_host, length(:dot_host::text)) = :dot_host::text)))
GROUP BY day ORDER BY day
