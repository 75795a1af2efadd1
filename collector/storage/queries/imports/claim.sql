INSERT INTO imported_lines (site_id, fingerprint, imported_day)
SELECT ?, value, ? FROM json_each(?) WHERE true
ON CONFLICT DO NOTHING
RETURNING fingerprint
