-- Filtered reports only: empty the TEMP shadows before another range is computed.
DELETE FROM pg_temp.daily_site;
DELETE FROM pg_temp.hourly_site;
DELETE FROM pg_temp.daily_dimension
