-- The distinct sources of the day's visits: collector/storage/pg_rollup.py gives each its
-- channel (collector.rollups.channels.channel) into _channels.
SELECT DISTINCT source, referrer_host, utm_source, utm_medium, utm_campaign FROM _visits
