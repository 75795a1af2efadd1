SELECT DISTINCT site_id, day FROM events
WHERE (:site IS NULL OR site_id = :site) AND (:day IS NULL OR day = :day)
ORDER BY site_id, day
