-- Daily aggregates: one row per site and day (and per hour, and per dimension value).
-- No per-visitor data. Visitors are distinct per day (ids do not survive days).
CREATE TABLE daily_site (
    site_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    visitors    INTEGER NOT NULL,
    visits      INTEGER NOT NULL,
    pageviews   INTEGER NOT NULL,
    bounces     INTEGER NOT NULL,
    duration_s  INTEGER NOT NULL,   -- summed over visits
    events      INTEGER NOT NULL,   -- interactive events (event, outlink, download, search, content, goal)
    PRIMARY KEY (site_id, day)
) WITHOUT ROWID;

CREATE TABLE hourly_site (
    site_id     INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    hour        INTEGER NOT NULL,   -- 0-23 in the site's time zone
    visitors    INTEGER NOT NULL,   -- distinct in that hour
    visits      INTEGER NOT NULL,   -- visits starting in that hour
    pageviews   INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    PRIMARY KEY (site_id, day, hour)
) WITHOUT ROWID;

CREATE TABLE daily_dimension (
    site_id     INTEGER NOT NULL,
    dimension   TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    visitors    INTEGER NOT NULL,
    visits      INTEGER NOT NULL,
    pageviews   INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    exits       INTEGER NOT NULL,
    bounces     INTEGER NOT NULL,
    duration_s  INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    PRIMARY KEY (site_id, dimension, day, value)
) WITHOUT ROWID;

-- Events with an id above the mark have not been rolled up: their days are dirty.
-- locked_until is a lease: one process rolls up at a time.
CREATE TABLE rollup_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id  INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    locked_until   INTEGER NOT NULL
);
INSERT INTO rollup_state VALUES (1, 0, 0, 0);
