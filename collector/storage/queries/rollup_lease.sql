UPDATE rollup_state SET locked_until = :until WHERE id = 1 AND locked_until < :now
