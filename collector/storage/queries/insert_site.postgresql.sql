INSERT INTO sites (name, domains, timezone, secret, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)
 RETURNING id
