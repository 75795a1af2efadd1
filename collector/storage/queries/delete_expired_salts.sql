DELETE FROM salts WHERE created_at <= ?
