SELECT id, name, domains, timezone, secret, settings FROM sites ORDER BY id
