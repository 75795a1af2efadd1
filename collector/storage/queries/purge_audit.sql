DELETE FROM audit_log WHERE ts < ?
