INSERT INTO tokens (token_hash, site_id, scope, label, created_at) VALUES (?, ?, ?, ?, ?)
 RETURNING id
