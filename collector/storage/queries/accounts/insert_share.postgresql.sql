INSERT INTO shared_links (site_id, secret_hash, label, password_hash, created_by, created_at)
VALUES (?, ?, ?, ?, ?, ?)
RETURNING id
