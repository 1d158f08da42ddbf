"""`talktrack serve`: the HTTP API (and, by default, the analysis worker threads inside it)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any, summary: str) -> None:
    parser = subparsers.add_parser(
        "serve", help=summary,
        description="Run the Talktrack HTTP API. With no settings it keeps everything in TALKTRACK_DATA_DIR "
                    "(SQLite, audio) and analyses calls on threads inside this process. Set "
                    "TALKTRACK_DATABASE_URL and TALKTRACK_BROKER_URL to use PostgreSQL and `talktrack worker`.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level")
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run("service.api.app:app",
                host=args.host, port=args.port, workers=args.workers, log_level=args.log_level,
                access_log=False,
                # The application reads X-Forwarded-For itself, from TALKTRACK_TRUSTED_PROXIES only
                # (`service.core.client_address`); uvicorn's own handling would trust 127.0.0.1.
                proxy_headers=False)
    return 0
