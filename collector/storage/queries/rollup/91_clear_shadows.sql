-- Empty this connection's TEMP shadows of the daily tables once a day is published.
DELETE FROM temp.daily_site;
DELETE FROM temp.hourly_site;
DELETE FROM temp.daily_dimension
