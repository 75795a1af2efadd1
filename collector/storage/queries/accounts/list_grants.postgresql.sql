-- As list_grants.sql, COLLATE NOCASE spelled as in list_users.postgresql.sql.
SELECT g.user_id, u.name, g.site_id, s.name, g.role
FROM grants AS g JOIN users AS u ON u.id = g.user_id JOIN sites AS s ON s.id = g.site_id
ORDER BY lower(u.name COLLATE "C"), lower(s.name COLLATE "C"), g.site_id, g.user_id
