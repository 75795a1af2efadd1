-- Ties by reason in code-point order, as on SQLite.
SELECT reason, SUM(n) FROM dropped
WHERE site_id = :site AND day BETWEEN :from AND :to
GROUP BY reason
ORDER BY SUM(n) DESC, reason COLLATE "C"
