INSERT INTO dropped (site_id, day, reason, n) VALUES (?, ?, ?, ?)
ON CONFLICT (site_id, day, reason) DO UPDATE SET n = n + excluded.n
