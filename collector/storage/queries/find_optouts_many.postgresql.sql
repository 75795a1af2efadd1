-- Which of a batch's (site, user hash) pairs are opted out.
SELECT o.site_id, o.user_hash
FROM optouts AS o
JOIN unnest($1::bigint[], $2::text[]) AS w(site_id, user_hash)
  ON o.site_id = w.site_id AND o.user_hash = w.user_hash
