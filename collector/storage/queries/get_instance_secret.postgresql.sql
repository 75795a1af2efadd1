SELECT value FROM instance_secrets WHERE name = ?
