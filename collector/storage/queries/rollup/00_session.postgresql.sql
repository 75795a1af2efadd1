-- A rollup's (or a filtered report's) transaction on PostgreSQL: memory for its sorts and
-- hashes (a day of a million events sorts ~100 MB once), plans made for this day's values
-- (so only its month's partition is read), and no JIT (compiling costs more than these
-- statements gain). SET LOCAL: the pooled connection is as it was after the transaction.
SET LOCAL work_mem = '256MB';
SET LOCAL plan_cache_mode = force_custom_plan;
SET LOCAL jit = off
