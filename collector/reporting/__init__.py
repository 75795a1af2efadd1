"""A subset of Matomo's Reporting API at ``/index.php?module=API`` (see :mod:`.handler`)."""

from collector.reporting.handler import handle

__all__ = ["handle"]
