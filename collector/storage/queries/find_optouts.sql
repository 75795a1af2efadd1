-- Which of a batch's user hashes (a JSON list) are opted out for one site.
SELECT user_hash FROM optouts
WHERE site_id = ? AND user_hash IN (SELECT value FROM json_each(?))
