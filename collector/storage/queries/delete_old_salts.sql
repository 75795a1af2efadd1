DELETE FROM salts WHERE day < ?
