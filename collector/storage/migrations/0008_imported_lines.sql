-- What log import (collector import-logs) has taken: keyed fingerprints of lines (an
-- HMAC under the instance secret, hex), never the lines; a re-import of the same or an
-- overlapping file counts nothing twice. Rows leave with the site's raw-event retention,
-- counted from the day they were imported.
CREATE TABLE imported_lines (
    site_id      INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL,
    imported_day TEXT    NOT NULL,                -- YYYY-MM-DD (UTC) of the import
    PRIMARY KEY (site_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX imported_lines_day ON imported_lines (site_id, imported_day);
