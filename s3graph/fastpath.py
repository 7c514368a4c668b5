"""The hot paths as plain WSGI: data requests from programs, answered without Flask.

`SparqlWSGI` sits in front of the Flask application and itself answers the requests that
want data, not an HTML page: GET and POST /sparql with a query, and GET /queries/<slug>
(a canned query). It goes through the same framework-free core (`protocol.py`,
`catalog.py`) the Flask routes use, with the same headers and error bodies. Everything
else (pages, the service description, CORS preflight, other methods, browsers) goes on to
Flask. Flask's per-request machinery (request context, routing, response object, hooks)
cost about a third of a point lookup's CPU time.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from .catalog import RESERVED, Catalog, RegionResolver
from .engine import select_dataset
from .errors import QueryError, S3GraphError
from .negotiation import negotiate, prefers_html
from .protocol import QueryService, Request, Response, error_response, outcome_response, parse_call, prepare
from .workers import encode_bindings

log = logging.getLogger("s3graph.web")
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: Headers a script on another origin may read (CORS).
EXPOSED = "X-S3Graph-Truncated, X-S3Graph-Results, X-Request-Id, Retry-After"
_REASONS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


def new_request_id() -> str:
    """A short random id quoted in error bodies and logs."""
    return os.urandom(8).hex()


def request_id_from(header: str | None) -> str:
    """The client's X-Request-Id (at most 64 characters), or a new one."""
    return (header or "")[:64] or new_request_id()


def content_type_of(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON types say UTF-8."""
    if media_type.startswith("text/") or media_type.endswith("json"):
        return f"{media_type}; charset=utf-8"
    return media_type


class SparqlWSGI:
    """WSGI middleware answering data requests to /sparql and /queries/<slug>; the rest goes
    to `fallback` (the Flask app)."""

    def __init__(self, fallback: WSGIApp, service: QueryService, max_body: int,
                 catalog: Catalog | None = None, resolve_region: RegionResolver | None = None) -> None:
        self.fallback = fallback
        self.service = service
        self.max_body = max_body
        self.catalog = catalog
        self.resolve_region = resolve_region

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "POST") or prefers_html(environ.get("HTTP_ACCEPT")):
            return self.fallback(environ, start_response)
        if path.startswith("/queries/") and method == "GET" and self.catalog is not None:
            slug = path[len("/queries/"):]
            if slug and "/" not in slug:
                return self._canned(environ, start_response, slug)
        if path != "/sparql":
            return self.fallback(environ, start_response)
        args = tuple(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if method == "GET" and not any(k == "query" for k, _ in args):
            return self.fallback(environ, start_response)  # the service description
        body = b""

        def answer(client: str) -> Response:
            nonlocal body
            if method == "POST":
                body = self._body(environ)
            return self._answer(Request(method, args, environ.get("CONTENT_TYPE", ""), body,
                                        environ.get("HTTP_ACCEPT", ""), client))

        def restore_body() -> None:  # Flask reads the body again
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))

        return self._serve(environ, start_response, answer, restore_body)

    def _canned(self, environ: dict[str, Any], start_response: StartResponse, slug: str) -> Iterable[bytes]:
        """GET /queries/<slug>: the canned query with parameters from the query string."""
        first: dict[str, str] = {}  # the first value of each name, as the Flask route reads them
        for key, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True):
            first.setdefault(key, value)
        accept = environ.get("HTTP_ACCEPT", "")
        return self._serve(environ, start_response,
                           lambda client: self._answer_canned(slug, first, accept, client))

    def _serve(self, environ: dict[str, Any], start_response: StartResponse,
               answer: Callable[[str], Response], before_flask: Callable[[], None] | None = None,
               ) -> Iterable[bytes]:
        """Answer with `answer(client)`; errors as JSON bodies with the request id; a request
        that turns out to want the HTML page goes on to Flask."""
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        client = environ.get("REMOTE_ADDR") or "unknown"
        try:
            response = answer(client)
        except _ToFlask:
            if before_flask is not None:
                before_flask()
            return self.fallback(environ, start_response)
        except S3GraphError as error:
            if error.counts_against_client:
                self.service.record_error(client)
            response = error_response(error, request_id)
        except Exception:  # our own bug: logged with the request id, never shown
            log.exception("request %s failed", request_id)
            response = error_response(S3GraphError("internal error; quote the request id when reporting it",
                                                   status=500, code="internal-error"), request_id)
        return self._respond(start_response, response, request_id)

    def _answer_canned(self, slug: str, first: dict[str, str], accept: str, client: str) -> Response:
        assert self.catalog is not None
        service = self.service
        service.admit(client)
        canned = self.catalog.get(slug)
        values = {k: v for k, v in first.items() if k not in RESERVED}
        infer_text = first.get("infer", "true").lower()
        if infer_text not in ("true", "false"):
            raise QueryError("infer must be true or false", code="bad-parameter")
        dataset = select_dataset(service.built, infer=infer_text == "true")
        bindings = canned.bind(values, self.resolve_region)
        fmt = negotiate("bindings", first.get("format"), accept)
        if fmt == "html":  # format=html asked for explicitly: the page
            raise _ToFlask
        outcome = service.run(canned.sparql, dataset, fmt, client, encode_bindings(bindings))
        return outcome_response(outcome)

    def _body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise QueryError("the Content-Length header is not a number", code="bad-request") from None
        if length > self.max_body:
            raise S3GraphError(f"the request body is larger than {self.max_body} bytes", status=413,
                               code="body-too-large")
        return environ["wsgi.input"].read(length) if length > 0 else b""

    def _answer(self, plain: Request) -> Response:
        service = self.service
        service.admit(plain.client)
        call = parse_call(plain)
        if call.query is None:
            raise QueryError("no query given", code="no-query")
        prepared = prepare(service, call, plain.accept, html=True)
        if prepared.format == "html":  # format=html asked for explicitly: the page
            raise _ToFlask
        outcome = service.run(prepared.checked.text, prepared.dataset, prepared.format, plain.client)
        return outcome_response(outcome)

    @staticmethod
    def _respond(start_response: StartResponse, response: Response, request_id: str) -> list[bytes]:
        headers = [("Content-Type", content_type_of(response.media_type)),
                   ("Content-Length", str(len(response.body)))]
        headers.extend(response.headers.items())
        headers += [("Vary", "Accept"), ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Expose-Headers", EXPOSED), ("X-Request-Id", request_id)]
        start_response(_REASONS.get(response.status, str(response.status)), headers)
        return [response.body]


class _ToFlask(Exception):
    """Raised when a request turns out to want the HTML page after all."""
