SELECT salt FROM salts WHERE day = ?
