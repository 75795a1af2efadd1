DELETE FROM login_known_addresses WHERE at <= ?
