"""Rollups, the backend-neutral part: when and for which sites and days to roll raw
events up into the daily tables (``runner``), a visit's channel and page path
(``channels``), the periodic maintenance tasks (``maintenance``). The rollup itself
(visits, bounces, durations, dimensions) is the store's ``Store.rollup``; on SQLite
``collector/storage/sqlite_rollup.py``."""
