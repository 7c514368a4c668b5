"""The Flask views: an index of the routes that are not the front's, each calling the service."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, current_app, g, request
from flask import Response as FlaskResponse
from werkzeug.exceptions import HTTPException

from ..errors import Code, S3GraphError
from ..service.http import Request, content_type_of, policy, request_id_from
from ..service.service import Reply, Service
from .front import INTERNAL
from .pages import Pages

log = logging.getLogger("s3graph.web")
#: Werkzeug's errors as the named codes.
HTTP_CODES = {404: Code.NOT_FOUND, 405: Code.METHOD_NOT_ALLOWED, 406: Code.NOT_ACCEPTABLE,
              413: Code.BODY_TOO_LARGE, 415: Code.UNSUPPORTED_MEDIA_TYPE}
pages_bp = Blueprint("pages", __name__)


@dataclass(frozen=True)
class Web:
    """What the views need, hung off the app (`app.extensions["s3graph"]`)."""

    service: Service
    pages: Pages


def web() -> Web:
    """The Web of the current app."""
    found: Web = current_app.extensions["s3graph"]
    return found


def plain() -> Request:
    """The service's view of the current Flask request."""
    return Request(method=request.method, args=tuple(request.args.items(multi=True)),
                   accept=request.headers.get("Accept", ""), client=request.remote_addr or "unknown")


def to_flask(reply: Reply) -> FlaskResponse:
    """A Flask response from the service's reply."""
    response = web().pages.respond(reply)
    out = FlaskResponse(response.body, status=response.status, content_type=content_type_of(response.media_type))
    out.headers.update(response.headers)
    return out


@pages_bp.route("/")
def home() -> FlaskResponse:
    """The front page."""
    return to_flask(web().service.home())


@pages_bp.route("/queries")
def queries() -> FlaskResponse:
    """Every canned query: a page for people, JSON for programs."""
    return to_flask(web().service.queries(plain()))


@pages_bp.route("/id/<path:rest>")
@pages_bp.route("/graph/<path:rest>", endpoint="graph")
def resource(rest: str) -> FlaskResponse:
    """A resource IRI under the base: 303 to its description."""
    kind = "graph" if request.path.startswith("/graph/") else "id"
    return to_flask(web().service.resource(f"{kind}/{rest}", plain()))


def start_request() -> None:
    """Give the request its id (the client's X-Request-Id, or a new one)."""
    g.request_id = request_id_from(request.headers.get("X-Request-Id"))


def finish(response: FlaskResponse) -> FlaskResponse:
    """The one header policy, as on the front's responses."""
    for key, value in policy(getattr(g, "request_id", ""), preflight=request.method == "OPTIONS",
                             page=response.mimetype == "text/html"):
        response.headers[key] = value
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


def render_error(error: S3GraphError) -> FlaskResponse:
    """An expected error: counted against the client, rendered as JSON or an HTML page."""
    if error.counts_against_client:
        web().service.record_error(request.remote_addr or "unknown")
    return to_flask(web().pages.error(error, getattr(g, "request_id", ""), request.headers.get("Accept")))


def render_http_error(error: HTTPException) -> FlaskResponse:
    """Werkzeug's errors (404, 405, ...) in the same form; a 500 is logged, never shown."""
    status = error.code or 500
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("request %s failed", getattr(g, "request_id", ""), exc_info=original)
        message = INTERNAL
    else:
        message = error.description or error.name
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    code = HTTP_CODES.get(status, Code.INTERNAL if status >= 500 else Code.BAD_REQUEST)
    return render_error(S3GraphError(message, status=status, code=code, headers=headers))
