-- Visit-level dimensions: each visit counts once, under the attributes of its first
-- event (where it came from, on what device), its channel from _channels. Visitors are
-- counted per value: those with one visit that day are that value's visits of them (no
-- need to tell them apart); the others are grouped per visitor first (hashes, where
-- COUNT(DISTINCT) would sort).
INSERT INTO pg_temp.daily_dimension (site_id, dimension, day, value, visitors, visits, pageviews,
                                     entries, exits, bounces, duration_s, events)
SELECT :site::bigint, dimension, :day::text, value,
       SUM(CASE WHEN only_visit THEN visits ELSE 1 END), SUM(visits), SUM(pageviews), 0, 0,
       SUM(bounces), SUM(duration_s), SUM(events)
FROM (
    SELECT 'referrers', referrer_host, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE referrer_host IS NOT NULL
    GROUP BY referrer_host, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'channels', channel, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits AS v JOIN _channels AS c ON c.source = v.source
    WHERE channel IS NOT NULL
    GROUP BY channel, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'utm_sources', utm_source, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE utm_source IS NOT NULL
    GROUP BY utm_source, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'utm_mediums', utm_medium, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE utm_medium IS NOT NULL
    GROUP BY utm_medium, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'utm_campaigns', utm_campaign, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE utm_campaign IS NOT NULL
    GROUP BY utm_campaign, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'browsers', browser, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE browser IS NOT NULL
    GROUP BY browser, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'os', os, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE os IS NOT NULL
    GROUP BY os, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'devices', device, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE device IS NOT NULL
    GROUP BY device, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'screens', screen, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE screen IS NOT NULL
    GROUP BY screen, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'languages', language, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE language IS NOT NULL
    GROUP BY language, only_visit, CASE WHEN NOT only_visit THEN visitor END
    UNION ALL
    SELECT 'countries', country, only_visit, COUNT(*), SUM(pageviews), SUM(bounce), SUM(duration_s),
           SUM(events)
    FROM _visits
    WHERE country IS NOT NULL
    GROUP BY country, only_visit, CASE WHEN NOT only_visit THEN visitor END
) AS per_visitor (dimension, value, only_visit, visits, pageviews, bounces, duration_s, events)
GROUP BY dimension, value
