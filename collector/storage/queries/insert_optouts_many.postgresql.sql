-- Many opt-outs of one site at once (an import): those already there are kept.
INSERT INTO optouts (site_id, user_hash, created_at)
SELECT :site::bigint, h, :now::bigint FROM unnest(:hashes::text[]) AS h
ON CONFLICT (site_id, user_hash) DO NOTHING
