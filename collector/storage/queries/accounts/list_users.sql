SELECT id, name, is_admin, created_at FROM users ORDER BY name COLLATE NOCASE
