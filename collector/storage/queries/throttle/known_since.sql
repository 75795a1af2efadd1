SELECT at FROM login_known_addresses WHERE scope = ? AND name = ? AND ip = ?
