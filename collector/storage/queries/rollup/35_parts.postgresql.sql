-- A day rolled up in parts: each part's rows of the daily tables (its share of the
-- visitors, computed on a connection of its own), copied here to be summed (36_sum_parts).
CREATE TEMP TABLE _part_daily_site (LIKE daily_site) ON COMMIT DROP;
CREATE TEMP TABLE _part_hourly_site (LIKE hourly_site) ON COMMIT DROP;
CREATE TEMP TABLE _part_daily_dimension (LIKE daily_dimension) ON COMMIT DROP
