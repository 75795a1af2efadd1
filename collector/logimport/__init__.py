"""Server-log import: access-log lines → the ingest pipeline, as live beacons go."""
