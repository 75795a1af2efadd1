INSERT INTO imported_lines (site_id, fingerprint, imported_day)
SELECT ?, f, ? FROM unnest(?::text[]) AS f
ON CONFLICT DO NOTHING
RETURNING fingerprint
