"""The demo: realistic traffic through the real ingest path (``traffic``) and the demo
website served at ``/demo/`` (``site``, with its static files in ``pages/``)."""
