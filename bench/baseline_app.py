"""The floor the ingest benchmark is measured against: a bare Starlette app whose one
route answers 204, served by uvicorn exactly as ``collector serve`` serves the collector
(same loop and HTTP implementation, access log off, no server or proxy headers).

    python -m bench.baseline_app --host 127.0.0.1 --port 8001 --workers 1
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def beacon(request: Request) -> Response:
    return Response(status_code=204)


app = Starlette(routes=[Route("/matomo.php", beacon, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # The same keyword arguments as collector.cli.commands.cmd_serve.
    uvicorn.run(
        "bench.baseline_app:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_config=None,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
