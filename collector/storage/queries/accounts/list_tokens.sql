SELECT id, site_id, scope, label, created_at, revoked_at FROM tokens WHERE site_id = ? ORDER BY revoked_at IS NOT NULL, id DESC
