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
    headers = request.headers
    return Request(method=request.method, args=tuple(request.args.items(multi=True)),
                   accept=headers.get("Accept", ""), client=request.remote_addr or "unknown",
                   if_none_match=headers.get("If-None-Match", ""), accept_language=headers.get("Accept-Language", ""),
                   if_modified_since=headers.get("If-Modified-Since", ""))


def to_flask(reply: Reply) -> FlaskResponse:
    """A Flask response from the service's reply."""
    response = web().pages.respond(reply)
    if response.status == 304:
        out = FlaskResponse(status=304)
        out.headers.update(response.headers)
        return out
    out = FlaskResponse(response.body, status=response.status, content_type=content_type_of(response.media_type))
    out.headers.update(response.headers)
    return out


@pages_bp.route("/")
def home() -> FlaskResponse:
    """The front page."""
    return to_flask(web().service.home(plain()))


@pages_bp.route("/queries")
def queries() -> FlaskResponse:
    """Every canned query: a page for people, JSON for programs."""
    return to_flask(web().service.queries(plain()))


@pages_bp.route("/id/<path:rest>")
@pages_bp.route("/graph/<path:rest>", endpoint="graph")
def resource(rest: str) -> FlaskResponse:
    """A resource IRI under the base: its page or its RDF, negotiated."""
    kind = "graph" if request.path.startswith("/graph/") else "id"
    return to_flask(web().service.resource(f"{kind}/{rest}", plain()))


@pages_bp.route("/ontology")
@pages_bp.route("/ontology/<term>")
def ontology(term: str | None = None) -> FlaskResponse:
    """The ontology (also at its version IRI) and a page per term."""
    version = web().service.publisher.ontology.version
    return to_flask(web().service.ontology(None if term in (None, version) else term, plain()))


@pages_bp.route("/dumps")
def dumps() -> FlaskResponse:
    """The list of dumps."""
    return to_flask(web().service.dumps(plain()))


@pages_bp.route("/dumps/<filename>")
def dump(filename: str) -> FlaskResponse:
    """One dump file."""
    return to_flask(web().service.dump(filename, plain()))


@pages_bp.route("/.well-known/void")
@pages_bp.route("/dataset")
@pages_bp.route("/catalogue")
def dataset() -> FlaskResponse:
    """The dataset description: DCAT-AP 3 and VoID."""
    return to_flask(web().service.dataset(plain()))


@pages_bp.route("/classes")
def classes() -> FlaskResponse:
    """Browse by class."""
    return to_flask(web().service.classes(plain()))


@pages_bp.route("/favicon.ico")
def favicon() -> FlaskResponse:
    """Browsers ask for /favicon.ico whatever the page says: the SVG icon."""
    return current_app.send_static_file("favicon.svg")


def start_request() -> None:
    """Give the request its id (the client's X-Request-Id, or a new one)."""
    g.request_id = request_id_from(request.headers.get("X-Request-Id"))


def finish(response: FlaskResponse) -> FlaskResponse:
    """The one header policy, as on the front's responses."""
    for key, value in policy(getattr(g, "request_id", ""), preflight=request.method == "OPTIONS",
                             page=response.mimetype == "text/html"):
        if key == "Vary" and "Vary" in response.headers:
            continue  # the reply's own (Accept, Accept-Language) covers the policy's
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
