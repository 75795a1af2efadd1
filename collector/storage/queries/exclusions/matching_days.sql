-- Raw events of a site that one exclusion rule matches, counted per day. Only path and
-- referrer rules can match stored events (raw events keep no User-Agent and no address).
-- :glob is a SQLite GLOB pattern on the path (a stored path may keep campaign keys after
-- '?': rules match the path without them, as on new requests); :host matches the referrer
-- host or any subdomain of it (:dot_host is '.' || :host).
SELECT day, COUNT(*) FROM events
WHERE site_id = :site
  AND ((:kind = 'path' AND (CASE WHEN instr(path, '?') > 0 THEN substr(path, 1, instr(path, '?') - 1)
                                ELSE path END) GLOB :glob)
    OR (:kind = 'referrer' AND (referrer_host = :host
                                OR substr(referrer_host, -length(:dot_host)) = :dot_host)))
GROUP BY day ORDER BY day
