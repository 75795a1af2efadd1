"""The one error type of the Reporting API: a message for the client and an HTTP status."""

from __future__ import annotations


class ReportingError(Exception):
    """Rendered as ``{"result": "error", "message": …}`` (or ``Error: …`` in CSV/TSV)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def missing(name: str) -> ReportingError:
    return ReportingError(f"Please specify a value for '{name}'.")
