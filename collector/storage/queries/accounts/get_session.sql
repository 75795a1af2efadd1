SELECT user_name, fingerprint, issued, expires FROM dashboard_sessions WHERE sid_hash = ? AND expires > ?
