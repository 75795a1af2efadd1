-- Visit-level dimensions: each visit counts once, under the attributes of its first
-- event (where it came from, on what device).
INSERT INTO daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews, entries,
                             exits, bounces, duration_s, events)
SELECT :site, dimension, :day, value, COUNT(DISTINCT visitor), COUNT(*), SUM(pageviews), 0, 0,
       SUM(bounce), SUM(duration_s), SUM(events)
FROM (
    SELECT 'referrers' AS dimension, referrer_host AS value, * FROM _visits WHERE referrer_host IS NOT NULL
    UNION ALL SELECT 'channels', channel, * FROM _visits
    UNION ALL SELECT 'utm_sources', utm_source, * FROM _visits WHERE utm_source IS NOT NULL
    UNION ALL SELECT 'utm_mediums', utm_medium, * FROM _visits WHERE utm_medium IS NOT NULL
    UNION ALL SELECT 'utm_campaigns', utm_campaign, * FROM _visits WHERE utm_campaign IS NOT NULL
    UNION ALL SELECT 'browsers', browser, * FROM _visits WHERE browser IS NOT NULL
    UNION ALL SELECT 'os', os, * FROM _visits WHERE os IS NOT NULL
    UNION ALL SELECT 'devices', device, * FROM _visits WHERE device IS NOT NULL
    UNION ALL SELECT 'screens', screen, * FROM _visits WHERE screen IS NOT NULL
    UNION ALL SELECT 'languages', language, * FROM _visits WHERE language IS NOT NULL
    UNION ALL SELECT 'countries', country, * FROM _visits WHERE country IS NOT NULL
)
GROUP BY dimension, value
