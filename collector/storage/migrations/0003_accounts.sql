-- Dashboard accounts: per-site access grants, shared read-only links, stored sessions.
CREATE TABLE grants (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id     INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, site_id)
) WITHOUT ROWID;
CREATE INDEX grants_site ON grants (site_id);

CREATE TABLE shared_links (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    secret_hash   BLOB    NOT NULL UNIQUE,          -- SHA-256 of the secret in the URL; shown once
    label         TEXT    NOT NULL DEFAULT '',
    password_hash TEXT,                             -- scrypt, or NULL: no password
    created_by    TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX shared_links_site ON shared_links (site_id);

CREATE TABLE dashboard_sessions (
    sid_hash    BLOB    PRIMARY KEY,                -- SHA-256 of the session id; the id is in the cookie only
    user_name   TEXT,                               -- NULL: anonymous (a login form's CSRF binding)
    fingerprint TEXT    NOT NULL DEFAULT '',
    issued      INTEGER NOT NULL,
    expires     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires);
