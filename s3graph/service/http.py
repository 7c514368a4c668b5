"""Plain HTTP, framework-free: a request, a response, and the one header policy for every response."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from ..errors import S3GraphError
from ..settings import Settings

#: Headers a script on another origin may read (CORS).
EXPOSED = "X-S3Graph-Truncated, X-S3Graph-Results, X-S3Graph-Warning, X-Request-Id, Retry-After, ETag"
#: A note the client should see with an answer (e.g. infer=false on a query that needs inference).
WARNING_HEADER = "X-S3Graph-Warning"
TRUNCATED_HEADER = "X-S3Graph-Truncated"
RESULTS_HEADER = "X-S3Graph-Results"
REASONS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


@dataclass(frozen=True)
class Request:
    """What the service needs of an HTTP request (or of a command line)."""

    method: str
    args: tuple[tuple[str, str], ...] = ()
    content_type: str = ""
    body: bytes = b""
    accept: str = ""
    client: str = "unknown"
    if_none_match: str = ""
    accept_language: str = ""
    if_modified_since: str = ""

    def all(self, name: str) -> tuple[str, ...]:
        """Every value of one query-string name, in order."""
        return tuple(v for k, v in self.args if k == name)

    def first(self) -> dict[str, str]:
        """The first value of each query-string name."""
        values: dict[str, str] = {}
        for key, value in self.args:
            values.setdefault(key, value)
        return values


@dataclass
class Response:
    """What the service answers: status, media type, body and headers of its own."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """An HTML page to show: its template and what it shows (rendered by the web layer), and
    headers of its own (ETag, Cache-Control, Link, Vary)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Reply = Response | Page
#: Characters left as they are in the query strings of links (as Werkzeug's url_for leaves them).
URL_SAFE = "!$'()*,/:;?@"


def link(path: str, **params: Any) -> str:
    """A link to one of the service's own paths (relative: never built from a Host header)."""
    query = urlencode([(k, v) for k, v in params.items() if v is not None], safe=URL_SAFE)
    return f"{path}?{query}" if query else path


#: How long a client may reuse an answer before asking again (it then gets a 304 if the
#: build is the same): short, because a rebuilt dataset is served at the same URLs.
CACHE_CONTROL = "public, max-age=300"


def entity_tag(*parts: str) -> str:
    """A strong entity tag for an answer made from `parts` (the build's key first)."""
    return '"' + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32] + '"'


def fresh(request: Request, etag: str) -> bool:
    """True when the client's If-None-Match holds `etag` (or `*`): answer 304 (RFC 9110 §13.1.2,
    weak comparison)."""
    if not request.if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in request.if_none_match.split(",")]
    return "*" in tags or etag in tags


def max_body(settings: Settings) -> int:
    """The largest request body read: room for a form-encoded query of the maximum length."""
    return 4 * settings.max_query_length + (1 << 20)


def new_request_id() -> str:
    """A short random id quoted in error bodies and logs (not a secret: no system call for it)."""
    return f"{random.getrandbits(64):016x}"


def request_id_from(header: str | None) -> str:
    """The client's X-Request-Id (at most 64 characters), or a new one."""
    return (header or "")[:64] or new_request_id()


def content_type_of(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON types say UTF-8."""
    if ";" not in media_type and (media_type.startswith("text/") or media_type.endswith("json")):
        return f"{media_type}; charset=utf-8"
    return media_type


#: What a page may load and do: the app's own assets only, no framing, no referrer sent.
PAGE_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]


def policy(request_id: str, *, preflight: bool = False, page: bool = False) -> list[tuple[str, str]]:
    """The headers every response carries, whoever answers it: Vary, CORS, the request id,
    nosniff; and on HTML pages the content security policy.

    CORS allows any origin and never credentials (the data is public and read-only).
    """
    headers = [("Vary", "Accept"), ("Access-Control-Allow-Origin", "*"),
               ("Access-Control-Expose-Headers", EXPOSED), ("X-Request-Id", request_id),
               ("X-Content-Type-Options", "nosniff")]
    if page:
        headers += PAGE_HEADERS
    if preflight:
        headers += [("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                    ("Access-Control-Allow-Headers", "Accept, Content-Type"),
                    ("Access-Control-Max-Age", "86400")]
    return headers


def headers_for(response: Response, request_id: str, *, preflight: bool = False) -> list[tuple[str, str]]:
    """Every header of `response`: its type and length (none on a 304), its own headers, then the policy."""
    headers = [] if response.status == 304 else [("Content-Type", content_type_of(response.media_type)),
                                                 ("Content-Length", str(len(response.body)))]
    headers += [(k, v) for k, v in response.headers.items() if k.lower() != "access-control-allow-credentials"]
    own = {k.lower() for k in response.headers}
    common = policy(request_id, preflight=preflight, page=response.media_type == "text/html")
    return headers + [(k, v) for k, v in common if k.lower() not in own or k != "Vary"]


def status_line(status: int) -> str:
    """"200 OK" and the like."""
    return REASONS.get(status, str(status))


#: One encoder for every error body (json.dumps with arguments of its own makes one a call).
_ERRORS = json.JSONEncoder(ensure_ascii=False)


def error_response(error: S3GraphError, request_id: str) -> Response:
    """The JSON body of an expected error: a short message, a stable code and the request id."""
    body = {"error": error.code, "status": error.status, "message": error.message,
            "request_id": request_id}
    return Response(error.status, "application/json", _ERRORS.encode(body).encode(), dict(error.headers))
