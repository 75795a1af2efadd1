DELETE FROM dashboard_sessions WHERE expires <= ?
