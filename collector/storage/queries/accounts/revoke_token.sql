UPDATE tokens SET revoked_at = ? WHERE site_id = ? AND id = ? AND revoked_at IS NULL
