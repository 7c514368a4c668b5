"""The SPARQL 1.1 Protocol, framework-free: a plain request in, status, headers and body out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .build import BuiltGraph
from .engine import DatasetSpec, select_dataset
from .errors import QueryError, S3GraphError
from .guard import CheckedQuery, check
from .negotiation import negotiate
from .ratelimit import RateLimiter
from .settings import Settings
from .workers import Executor, Job, Outcome

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
TRUNCATED_HEADER = "X-S3Graph-Truncated"


@dataclass(frozen=True)
class Request:
    """What the protocol needs of an HTTP request."""

    method: str
    args: tuple[tuple[str, str], ...] = ()
    content_type: str = ""
    body: bytes = b""
    accept: str = ""
    client: str = "unknown"


@dataclass
class Response:
    """What the protocol answers: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A parsed protocol call: the query (None for a bare GET) and its parameters."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None
    infer: bool


def _media(content_type: str) -> tuple[str, str | None]:
    """The media type and the charset parameter (lower-case) of a Content-Type."""
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise S3GraphError(f"the {what} is not UTF-8", status=415, code="not-utf8") from None


def parse_call(request: Request) -> Call:
    """Read query and parameters from GET, form POST or direct POST; refuse what is not a query."""
    pairs = list(request.args)
    if request.method == "POST":
        media, charset = _media(request.content_type)
        if charset not in (None, "utf-8", "utf8"):
            raise S3GraphError(f"charset {charset} is not supported; send UTF-8", status=415,
                               code="not-utf8")
        if media == UPDATE:
            raise S3GraphError("this endpoint is read-only: updates are not accepted", status=403,
                               code="read-only")
        if media == FORM:
            pairs += parse_qsl(_decode(request.body, "form body"), keep_blank_values=True)
        elif media == DIRECT:
            if any(k == "query" for k, _ in pairs):
                raise QueryError("a direct POST carries the query in its body, not in query=",
                                 code="two-queries")
            pairs.append(("query", _decode(request.body, "query")))
        else:
            raise S3GraphError(f"Content-Type {media or '(none)'} is not supported; use {FORM} or "
                               f"{DIRECT}", status=415, code="unsupported-media-type")
    names = [k for k, _ in pairs]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        raise S3GraphError("this endpoint is read-only: updates are not accepted", status=403,
                           code="read-only")
    queries = [v for k, v in pairs if k == "query"]
    if len(queries) > 1:
        raise QueryError("more than one query parameter", code="two-queries")
    formats = [v for k, v in pairs if k == "format"]
    infer_values = [v.lower() for k, v in pairs if k == "infer"]
    if any(v not in ("true", "false") for v in infer_values) or len(infer_values) > 1:
        raise QueryError("infer must be given once, as true or false", code="bad-parameter")
    return Call(
        query=queries[0] if queries else None,
        default_graphs=tuple(v for k, v in pairs if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in pairs if k == "named-graph-uri"),
        format=formats[-1] if formats else None,
        infer=infer_values != ["false"],
    )


def error_response(error: S3GraphError, request_id: str) -> Response:
    """The JSON body of an expected error: a short message, a stable code and the request id."""
    body = {"error": error.code, "status": error.status, "message": error.message,
            "request_id": request_id}
    return Response(error.status, "application/json",
                    json.dumps(body, ensure_ascii=False).encode(), dict(error.headers))


def outcome_response(outcome: Outcome) -> Response:
    """Turn a worker's outcome into a response (errors raise, to be rendered by the caller)."""
    if not outcome.ok:
        raise S3GraphError(outcome.message, status=outcome.status, code=outcome.code)
    headers = {"X-S3Graph-Results": str(outcome.count)}
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = "true"
    return Response(200, outcome.media_type, outcome.body, headers)


@dataclass(frozen=True)
class Prepared:
    """A checked query with its dataset and chosen output format."""

    checked: CheckedQuery
    dataset: DatasetSpec
    format: str


def prepare(service: QueryService, call: Call, accept: str, html: bool) -> Prepared:
    """Guard the query, choose the dataset and negotiate the format (406 when nothing fits)."""
    assert call.query is not None
    settings = service.settings
    checked = check(call.query, max_length=settings.max_query_length,
                    max_depth=settings.max_nesting_depth,
                    allowlist=settings.federation_allowlist, base=settings.base_iri)
    fmt = negotiate(checked.kind, call.format, accept, html=html)
    if call.default_graphs or call.named_graphs:
        dataset = select_dataset(service.built, infer=call.infer, default_graph_uris=call.default_graphs,
                                 named_graph_uris=call.named_graphs)
    else:
        dataset = select_dataset(service.built, infer=call.infer, default_graph_uris=checked.from_graphs,
                                 named_graph_uris=checked.from_named_graphs)
    return Prepared(checked, dataset, fmt)


class QueryService:
    """The core the web and CLI layers share: built graph, executor, limits, rate limiter."""

    def __init__(self, settings: Settings, built: BuiltGraph, executor: Executor,
                 limiter: RateLimiter) -> None:
        self.settings = settings
        self.built = built
        self.executor = executor
        self.limiter = limiter

    def admit(self, client: str) -> None:
        """Refuse (429) a client that has used up its query time or errors."""
        self.limiter.check(client)

    def run(self, query: str, dataset: DatasetSpec, fmt: str, client: str,
            bindings: tuple[tuple[str, str], ...] = ()) -> Outcome:
        """Run a checked query under the deadline, counting its time against the client."""
        job = Job(query, dataset, bindings, fmt, self.settings.max_results, client)
        try:
            outcome: Outcome = self.executor.run(job, self.settings.query_timeout)
        except S3GraphError as exc:
            if exc.code == "query-timeout" and not exc.charged:
                self.limiter.record(client, self.settings.query_timeout, False)
            raise
        self.limiter.record(client, outcome.seconds, False)
        return outcome

    def record_error(self, client: str) -> None:
        """Count a failed request (bad query, bad parameters, timeout) against the client."""
        self.limiter.record(client, 0.0, True)
