SELECT id, name, domains, timezone, secret, settings FROM sites WHERE id = ?
