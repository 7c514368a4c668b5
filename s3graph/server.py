"""Serve the app with waitress (a production WSGI server) on the given host and port."""

from __future__ import annotations

import sys

import waitress

from .settings import Settings
from .web import create_app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the app and serve it until interrupted."""
    app = create_app(settings)
    threads = max(8, 4 * max(settings.workers, 1))
    print(f"s3graph: serving http://{host}:{port}/ (SPARQL at /sparql, {settings.workers} "
          f"worker(s), engine {settings.engine})", file=sys.stderr, flush=True)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="s3graph",
                       max_request_body_size=1 << 20)
    finally:
        app.extensions["s3graph"].service.executor.close()
