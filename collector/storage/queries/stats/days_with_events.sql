SELECT DISTINCT day FROM events WHERE site_id = :site AND day BETWEEN :from AND :to ORDER BY day
