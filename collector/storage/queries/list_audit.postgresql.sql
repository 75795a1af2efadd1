-- The newest audit entries first, optionally of one action prefix (e.g. 'token.'), before
-- an id (paging).
SELECT id, ts, actor, action, detail, ip FROM audit_log
WHERE (:prefix::text = '' OR substr(action, 1, length(:prefix)) = :prefix) AND id < :before
ORDER BY id DESC
LIMIT :limit
