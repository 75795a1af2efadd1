-- Log import's keyed line fingerprints, as SQLite's 0008_imported_lines.sql.
CREATE TABLE imported_lines (
    site_id      INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL,
    imported_day TEXT    NOT NULL,
    PRIMARY KEY (site_id, fingerprint)
);
CREATE INDEX imported_lines_day ON imported_lines (site_id, imported_day);
