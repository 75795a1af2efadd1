SELECT DISTINCT site_id, day FROM events
WHERE (:site::bigint IS NULL OR site_id = :site) AND (:day::text IS NULL OR day = :day)
ORDER BY site_id, day
