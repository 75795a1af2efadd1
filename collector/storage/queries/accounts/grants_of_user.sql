SELECT site_id, role FROM grants WHERE user_id = ?
