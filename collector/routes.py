"""The one route table."""

from __future__ import annotations

from starlette.routing import Route

from collector import dashboard
from collector.demo import site as demo_site
from collector.ingest import endpoint
from collector.optout import api as optout_api
from collector.optout import widget as optout_widget
from collector.privacy import statement as privacy_statement
from collector.reporting import index as matomo_index
from collector.stats import api as stats_api
from collector.web import health, tracker

TRACK_METHODS = ["GET", "POST", "OPTIONS"]
DASHBOARD = dashboard.mount()

ROUTES = [
    Route("/matomo.php", endpoint.track, methods=TRACK_METHODS),
    Route("/piwik.php", endpoint.track, methods=TRACK_METHODS),
    Route("/js/tracker.php", endpoint.track, methods=TRACK_METHODS),
    Route("/matomo.js", tracker.current, methods=["GET", "HEAD"]),
    Route("/piwik.js", tracker.current, methods=["GET", "HEAD"]),
    Route("/js/collector.js", tracker.current, methods=["GET", "HEAD"]),
    Route("/js/collector.v1.js", tracker.v1, methods=["GET", "HEAD"]),
    Route("/healthz", health.healthz, methods=["GET", "HEAD"]),
    Route("/readyz", health.readyz, methods=["GET", "HEAD"]),
    Route("/metrics", health.metrics, methods=["GET"]),
    *stats_api.ROUTES,
    *optout_api.ROUTES,
    Route("/privacy/{site_id}", privacy_statement.statement, methods=["GET"]),
    Route("/index.php", matomo_index.index, methods=["GET", "POST"]),
    Route("/", matomo_index.AtRoot(DASHBOARD)),  # Matomo's base URL: module=API, else the dashboard
    *optout_widget.ROUTES,
    *demo_site.ROUTES,
    DASHBOARD,  # "/" and below; keep it last: it claims only the dashboard's own paths
]
