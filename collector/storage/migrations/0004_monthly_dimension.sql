-- Per-month sums of daily_dimension, kept in step by the rollup (a day's old rows are
-- subtracted and its new rows added in the transaction that replaces the day). Long
-- ranges read months instead of days, and the indexes by metric let a top-N report read
-- only the head of each month (see collector/storage/sqlite_topn.py).
CREATE TABLE monthly_dimension (
    site_id     INTEGER NOT NULL,
    month       TEXT    NOT NULL,   -- YYYY-MM, in the site's time zone
    dimension   TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    visitors    INTEGER NOT NULL,   -- daily distinct visitors, summed
    visits      INTEGER NOT NULL,
    pageviews   INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    exits       INTEGER NOT NULL,
    bounces     INTEGER NOT NULL,
    duration_s  INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    PRIMARY KEY (site_id, month, dimension, value)
) WITHOUT ROWID;
CREATE INDEX monthly_by_visitors ON monthly_dimension (site_id, dimension, month, visitors DESC);
CREATE INDEX monthly_by_pageviews ON monthly_dimension (site_id, dimension, month, pageviews DESC);
CREATE INDEX monthly_by_entries ON monthly_dimension (site_id, dimension, month, entries DESC);
CREATE INDEX monthly_by_exits ON monthly_dimension (site_id, dimension, month, exits DESC);
CREATE INDEX monthly_by_events ON monthly_dimension (site_id, dimension, month, events DESC);

INSERT INTO monthly_dimension
SELECT site_id, substr(day, 1, 7), dimension, value, SUM(visitors), SUM(visits), SUM(pageviews),
       SUM(entries), SUM(exits), SUM(bounces), SUM(duration_s), SUM(events)
FROM daily_dimension GROUP BY site_id, substr(day, 1, 7), dimension, value;
