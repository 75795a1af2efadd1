DELETE FROM dashboard_sessions WHERE sid_hash = ?
