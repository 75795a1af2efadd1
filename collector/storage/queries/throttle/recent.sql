SELECT at FROM login_failures WHERE scope = ? AND kind = ? AND value = ? AND at > ? ORDER BY at
