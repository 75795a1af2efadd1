DELETE FROM imported_lines WHERE site_id = ? AND imported_day < ?
