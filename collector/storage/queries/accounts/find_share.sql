SELECT id, site_id, label, password_hash, created_by, created_at, revoked_at FROM shared_links WHERE secret_hash = ? AND revoked_at IS NULL
