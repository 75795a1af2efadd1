INSERT INTO login_failures (scope, kind, value, at) VALUES (?, ?, ?, ?)
