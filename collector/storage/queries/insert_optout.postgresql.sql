INSERT INTO optouts (site_id, user_hash, created_at) VALUES (?, ?, ?)
ON CONFLICT (site_id, user_hash) DO NOTHING
