-- The collector's first schema: sites, salts, raw events, drop counters, opt-outs,
-- users, tokens and the audit log.
CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    domains     TEXT    NOT NULL DEFAULT '[]',      -- JSON list of host names
    timezone    TEXT    NOT NULL DEFAULT 'UTC',
    secret      BLOB    NOT NULL,                   -- key for user_ref hashes
    settings    TEXT    NOT NULL DEFAULT '{}',      -- JSON, see collector.model.SiteSettings
    created_at  INTEGER NOT NULL
);

CREATE TABLE salts (
    day         TEXT    PRIMARY KEY,                -- YYYY-MM-DD
    salt        BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    site_id         INTEGER NOT NULL,
    ts_ms           INTEGER NOT NULL,               -- UTC, milliseconds
    day             TEXT    NOT NULL,               -- in the site's time zone
    visitor         INTEGER NOT NULL,               -- keyed hash, valid for one day
    kind            TEXT    NOT NULL,
    path            TEXT,
    title           TEXT,
    referrer_host   TEXT,
    referrer_path   TEXT,
    utm_source      TEXT,
    utm_medium      TEXT,
    utm_campaign    TEXT,
    utm_term        TEXT,
    utm_content     TEXT,
    browser         TEXT,
    browser_major   TEXT,
    os              TEXT,
    device          TEXT,
    screen          TEXT,
    language        TEXT,
    country         TEXT,
    event_category  TEXT,
    event_action    TEXT,
    event_name      TEXT,
    event_value     REAL,
    target          TEXT,
    search_query    TEXT,
    search_category TEXT,
    search_count    INTEGER,
    goal_id         INTEGER,
    revenue         REAL,
    pv_id           TEXT,
    new_visit       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_site_day ON events (site_id, day, visitor, ts_ms);
CREATE INDEX events_site_ts ON events (site_id, ts_ms);

CREATE TABLE dropped (
    site_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (site_id, day, reason)
) WITHOUT ROWID;

CREATE TABLE optouts (
    site_id     INTEGER NOT NULL,
    user_hash   TEXT    NOT NULL,                   -- hex keyed hash of user_ref, never the value
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (site_id, user_hash)
) WITHOUT ROWID;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  BLOB    NOT NULL UNIQUE,            -- SHA-256 of the token; the token is shown once
    site_id     INTEGER NOT NULL,
    scope       TEXT    NOT NULL CHECK (scope IN ('stats', 'optout', 'admin')),
    label       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}'
);
