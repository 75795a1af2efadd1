-- Audit entries say where from (the masked address, never the full one), and are kept
-- for COLLECTOR_AUDIT_RETENTION_DAYS (deleted by ts).
ALTER TABLE audit_log ADD COLUMN ip TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_ts ON audit_log (ts);
