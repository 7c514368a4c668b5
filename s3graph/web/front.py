"""The WSGI front: /sparql and /queries/<slug> answered by the service, everything else by Flask.

This is the hot path of the data requests (Flask's per-request machinery cost about a
third of a point lookup's CPU time), so it is plain WSGI: environ -> `Request` ->
`Service` -> `Response` (a `Page` rendered by `Pages`) -> headers from the one policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from ..errors import Code, QueryError, S3GraphError
from ..service.http import Request, Response, headers_for, request_id_from, status_line
from ..service.service import Reply, Service
from .pages import Pages

log = logging.getLogger("s3graph.web")
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
INTERNAL = "internal error; quote the request id when reporting it"
#: Query strings of at most REMEMBERED_TEXT characters are parsed once for this many (a
#: repeated request is not decoded again).
REMEMBERED_ARGS = 1024
REMEMBERED_TEXT = 4096


def _parse_args(query_string: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query_string, keep_blank_values=True))


class Front:
    """WSGI middleware: the service's own routes, then `fallback` (the Flask app) for the rest."""

    def __init__(self, fallback: WSGIApp, service: Service, pages: Pages, max_body: int) -> None:
        self.fallback = fallback
        self.service = service
        self.pages = pages
        self.max_body = max_body
        self._parsed = lru_cache(maxsize=REMEMBERED_ARGS)(_parse_args)

    def route(self, path: str) -> tuple[Callable[[Request], Reply], tuple[str, ...]] | None:
        """The service method for a path and the methods it takes, or None (not ours)."""
        if path == "/sparql":
            return self.service.sparql, ("GET", "HEAD", "POST")
        if path.startswith("/queries/"):
            slug = path[len("/queries/"):]
            if slug and "/" not in slug:
                return (lambda request: self.service.canned(slug, request)), ("GET", "HEAD")
        return None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = self.route(environ.get("PATH_INFO", ""))
        if found is None:
            return self.fallback(environ, start_response)
        handler, methods = found
        method = environ.get("REQUEST_METHOD", "")
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        accept = environ.get("HTTP_ACCEPT", "")
        client = environ.get("REMOTE_ADDR") or "unknown"
        allow = ", ".join(sorted({*methods, "OPTIONS"}))
        if method == "OPTIONS":  # CORS preflight
            response = Response(200, "text/html", b"", {"Allow": allow})
            return self._send(start_response, response, request_id, preflight=True)
        try:
            if method not in methods:
                raise S3GraphError("The method is not allowed for the requested URL.", status=405,
                                   code=Code.METHOD_NOT_ALLOWED, headers={"Allow": allow})
            body = self._body(environ) if method == "POST" else b""
            query_string = environ.get("QUERY_STRING", "")
            args = self._parsed(query_string) if len(query_string) <= REMEMBERED_TEXT else _parse_args(query_string)
            reply = handler(Request("GET" if method == "HEAD" else method, args,
                                    environ.get("CONTENT_TYPE", ""), body, accept, client,
                                    environ.get("HTTP_IF_NONE_MATCH", "")))
            response = self.pages.respond(reply)
        except S3GraphError as error:
            if error.counts_against_client:
                self.service.record_error(client)
            response = self.pages.error(error, request_id, accept)
        except Exception:  # our own bug: logged with the request id, never shown
            log.exception("request %s failed", request_id)
            response = self.pages.error(S3GraphError(INTERNAL, status=500, code=Code.INTERNAL), request_id, accept)
        return self._send(start_response, response, request_id, head=method == "HEAD")

    def _body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise QueryError("the Content-Length header is not a number", code=Code.BAD_REQUEST) from None
        if length > self.max_body:
            raise S3GraphError(f"the request body is larger than {self.max_body} bytes", status=413,
                               code=Code.BODY_TOO_LARGE)
        return environ["wsgi.input"].read(length) if length > 0 else b""

    @staticmethod
    def _send(start_response: StartResponse, response: Response, request_id: str, *,
              preflight: bool = False, head: bool = False) -> list[bytes]:
        start_response(status_line(response.status), headers_for(response, request_id, preflight=preflight))
        return [b"" if head else response.body]
