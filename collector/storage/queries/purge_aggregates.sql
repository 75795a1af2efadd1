DELETE FROM daily_site WHERE site_id = :site AND day < :before;
DELETE FROM hourly_site WHERE site_id = :site AND day < :before;
DELETE FROM daily_dimension WHERE site_id = :site AND day < :before
