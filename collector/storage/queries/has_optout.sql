SELECT 1 FROM optouts WHERE site_id = ? AND user_hash = ?
