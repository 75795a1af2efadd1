SELECT site_id, scope FROM tokens WHERE token_hash = ? AND revoked_at IS NULL
