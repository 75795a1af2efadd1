INSERT OR IGNORE INTO salts (day, salt, created_at) VALUES (?, ?, ?)
