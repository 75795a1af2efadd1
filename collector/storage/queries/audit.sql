INSERT INTO audit_log (ts, actor, action, detail) VALUES (?, ?, ?, ?)
