-- Dirty days as marks that are only ever inserted (one per batch and day), not one row per
-- day whose version every batch bumps: that upsert took the day's row lock in every batch,
-- so the batches of a busy day (from every node) committed one after the other, each
-- waiting for the previous one's commit. A rollup reads the marks it can see, computes
-- the day from the events (which the batches behind those marks committed before), and
-- deletes exactly those marks (collector/storage/pg_rollup.py); marks committed meanwhile
-- stay for the next run.
CREATE TABLE dirty_marks (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY,
    site_id     BIGINT  NOT NULL,
    day         TEXT    NOT NULL
);
CREATE INDEX dirty_marks_day ON dirty_marks (site_id, day, id);

INSERT INTO dirty_marks (site_id, day) SELECT site_id, day FROM dirty_days ORDER BY site_id, day;
DROP TABLE dirty_days;
