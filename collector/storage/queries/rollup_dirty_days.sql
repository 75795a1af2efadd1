-- Days that received events since the last rollup (the id range is the rowid: cheap).
SELECT DISTINCT site_id, day FROM events WHERE id > :last AND id <= :upto ORDER BY site_id, day
