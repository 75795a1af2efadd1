-- Raw events of a site that one exclusion rule matches, counted per day. Only path and
-- referrer rules can match stored events (raw events keep no User-Agent and no address).
-- :glob is a SQLite GLOB pattern on the path; :host matches the referrer host or any
-- subdomain of it (:dot_host is '.' || :host).
SELECT day, COUNT(*) FROM events
WHERE site_id = :site
  AND ((:kind = 'path' AND path GLOB :glob)
    OR (:kind = 'referrer' AND (referrer_host = :host
                                OR substr(referrer_host, -length(:dot_host)) = :dot_host)))
GROUP BY day ORDER BY day
