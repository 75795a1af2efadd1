SELECT id, site_id, label, password_hash, created_by, created_at, revoked_at FROM shared_links WHERE site_id = ? ORDER BY revoked_at IS NOT NULL, id DESC
