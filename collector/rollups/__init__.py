"""Rollups: raw events → daily tables (visits, bounces, durations, dimensions)."""
