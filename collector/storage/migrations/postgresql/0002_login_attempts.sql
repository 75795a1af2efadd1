-- The login throttle shared by every node (collector/dashboard/throttle.py), as SQLite's
-- 0007_login_attempts.sql. Values are masked networks and digests of names, never a full
-- address; rows leave once out of the throttle's window (failures, 15 minutes) or its
-- memory of an address (30 days).
CREATE TABLE login_failures (
    scope       TEXT    NOT NULL,               -- the throttle's namespace: login, share
    kind        TEXT    NOT NULL,               -- pair, address, name
    value       TEXT    NOT NULL,
    at          DOUBLE PRECISION NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, kind, value, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE login_known_addresses (
    scope       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    ip          TEXT    NOT NULL,               -- masked
    at          DOUBLE PRECISION NOT NULL,      -- the last successful sign-in from there
    PRIMARY KEY (scope, name, ip)
);
CREATE INDEX login_known_addresses_at ON login_known_addresses (at);
