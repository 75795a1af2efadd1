INSERT OR IGNORE INTO optouts (site_id, user_hash, created_at) VALUES (?, ?, ?)
