INSERT INTO login_known_addresses (scope, name, ip, at) VALUES (?, ?, ?, ?)
ON CONFLICT (scope, name, ip) DO UPDATE SET at = excluded.at
