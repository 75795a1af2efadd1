UPDATE rollup_state SET last_event_id = MAX(last_event_id, :last), updated_at = :now, locked_until = 0
WHERE id = 1
