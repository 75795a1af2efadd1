INSERT INTO salts (day, salt, created_at) VALUES (?, ?, ?) ON CONFLICT (day) DO NOTHING
