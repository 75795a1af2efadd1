-- TEMP tables named like the daily tables, for the rows being computed: the rollup fills
-- them and then publishes them (40_publish_day); a filtered report reads them instead of
-- the real ones. Gone with the transaction.
CREATE TEMP TABLE daily_site (LIKE daily_site) ON COMMIT DROP;
CREATE TEMP TABLE hourly_site (LIKE hourly_site) ON COMMIT DROP;
CREATE TEMP TABLE daily_dimension (LIKE daily_dimension) ON COMMIT DROP
