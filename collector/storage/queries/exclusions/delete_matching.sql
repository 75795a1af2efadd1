-- Remove the raw events one exclusion rule matches (see matching_days.sql).
DELETE FROM events
WHERE site_id = :site
  AND ((:kind = 'path' AND (CASE WHEN instr(path, '?') > 0 THEN substr(path, 1, instr(path, '?') - 1)
                                ELSE path END) GLOB :glob)
    OR (:kind = 'referrer' AND (referrer_host = :host
                                OR substr(referrer_host, -length(:dot_host)) = :dot_host)))
