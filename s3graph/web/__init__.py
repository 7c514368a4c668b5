"""The web layer, the only place Flask is used: the WSGI front for the service's routes
(`front`), the Flask views for the rest (`views`) and the HTML (`pages`, `templates/`)."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from ..build.store import BuiltGraph
from ..errors import S3GraphError
from ..query.catalog import Catalog
from ..query.executors import Executor
from ..service.compose import compose
from ..service.http import max_body
from ..service.service import Service
from ..settings import Settings, load_settings
from .front import Front
from .pages import Pages
from .views import Web, finish, pages_bp, render_error, render_http_error, start_request


def create_app(settings: Settings | None = None, *, built: BuiltGraph | None = None,
               catalog: Catalog | None = None, executor: Executor | None = None,
               service: Service | None = None) -> Flask:
    """The application over `service`; without one, a service composed from `settings` (the
    graph built or reused from the cache, query worker processes for the deadline). Given
    a service, the app uses its settings and `settings` is not read."""
    if service is None:
        service = compose(settings if settings is not None else load_settings(), built=built,
                          catalog=catalog, executor=executor)
    pages = Pages()
    app = Flask(__name__)
    # No redirect that merges slashes: Werkzeug would build its URL from the Host header.
    app.url_map.merge_slashes = False
    app.extensions["s3graph"] = Web(service, pages)
    app.register_blueprint(pages_bp)
    app.before_request(start_request)
    app.after_request(finish)
    app.register_error_handler(S3GraphError, render_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.wsgi_app = Front(app.wsgi_app, service, pages, max_body(service.settings))  # type: ignore[method-assign]
    return app


__all__ = ["create_app"]
