"""HTTP pieces shared by the collector's routes: API helpers (``apiutil``), the tracker
asset (``tracker``), the access log (``accesslog``) and the health endpoints (``health``)."""
