DELETE FROM grants WHERE user_id = ? AND site_id = ?
