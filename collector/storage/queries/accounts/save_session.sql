INSERT INTO dashboard_sessions (sid_hash, user_name, fingerprint, issued, expires) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (sid_hash) DO UPDATE SET expires = excluded.expires
