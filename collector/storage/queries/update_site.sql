UPDATE sites SET name = ?, domains = ?, timezone = ?, settings = ? WHERE id = ?
