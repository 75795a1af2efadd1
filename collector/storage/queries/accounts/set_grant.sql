INSERT INTO grants (user_id, site_id, role, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id, site_id) DO UPDATE SET role = excluded.role
