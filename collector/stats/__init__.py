"""Stats: periods, reports (one function per report) and the JSON/CSV API."""
