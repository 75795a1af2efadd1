-- Everything collected for a site over a range of its days (inclusive): raw events,
-- the daily tables and the drop counters. The site, its tokens and opt-outs stay.
DELETE FROM events WHERE site_id = :site AND day BETWEEN :first AND :last;
DELETE FROM daily_site WHERE site_id = :site AND day BETWEEN :first AND :last;
DELETE FROM hourly_site WHERE site_id = :site AND day BETWEEN :first AND :last;
DELETE FROM daily_dimension WHERE site_id = :site AND day BETWEEN :first AND :last;
DELETE FROM dropped WHERE site_id = :site AND day BETWEEN :first AND :last
