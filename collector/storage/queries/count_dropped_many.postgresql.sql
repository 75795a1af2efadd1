-- A batch's drop counters in one statement (site, day, reason sorted by the caller: two
-- nodes upserting the same rows then lock them in the same order).
INSERT INTO dropped (site_id, day, reason, n)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])
ON CONFLICT (site_id, day, reason) DO UPDATE SET n = dropped.n + excluded.n
