-- By name as SQLite's COLLATE NOCASE orders it (list_users.sql): ASCII letters folded to
-- lower case (lower() under "C" folds only those), then byte order.
SELECT id, name, is_admin, created_at FROM users ORDER BY lower(name COLLATE "C"), id
