DELETE FROM dashboard_sessions WHERE user_name = ?
