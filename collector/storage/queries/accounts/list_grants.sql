SELECT g.user_id, u.name, g.site_id, s.name, g.role
FROM grants AS g JOIN users AS u ON u.id = g.user_id JOIN sites AS s ON s.id = g.site_id
ORDER BY u.name COLLATE NOCASE, s.name COLLATE NOCASE, g.site_id
