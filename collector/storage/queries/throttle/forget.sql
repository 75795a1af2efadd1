DELETE FROM login_failures WHERE scope = ? AND kind = ? AND value = ?
