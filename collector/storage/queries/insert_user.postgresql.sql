INSERT INTO users (name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)
 RETURNING id
