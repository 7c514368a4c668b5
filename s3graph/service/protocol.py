"""The SPARQL 1.1 Protocol's parameters: query, dataset, format and inference from a plain request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..errors import Code, QueryError, S3GraphError
from ..query.executors import Outcome
from .http import RESULTS_HEADER, TRUNCATED_HEADER, Request, Response

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Call:
    """A parsed protocol call: the query (None for a bare GET) and its parameters."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: tuple[str, ...]  # every format= value, in order (negotiation takes the first that fits)
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
        raise S3GraphError(f"the {what} is not UTF-8", status=415, code=Code.NOT_UTF8) from None


def parse_call(request: Request) -> Call:
    """Read query and parameters from GET, form POST or direct POST; refuse what is not a query."""
    pairs = list(request.args)
    if request.method == "POST":
        media, charset = _media(request.content_type)
        if charset not in (None, "utf-8", "utf8"):
            raise S3GraphError(f"charset {charset} is not supported; send UTF-8", status=415,
                               code=Code.NOT_UTF8)
        if media == UPDATE:
            raise S3GraphError("this endpoint is read-only: updates are not accepted", status=403,
                               code=Code.READ_ONLY)
        if media == FORM:
            pairs += parse_qsl(_decode(request.body, "form body"), keep_blank_values=True)
        elif media == DIRECT:
            if any(k == "query" for k, _ in pairs):
                raise QueryError("a direct POST carries the query in its body, not in query=",
                                 code=Code.TWO_QUERIES)
            pairs.append(("query", _decode(request.body, "query")))
        else:
            raise S3GraphError(f"Content-Type {media or '(none)'} is not supported; use {FORM} or "
                               f"{DIRECT}", status=415, code=Code.UNSUPPORTED_MEDIA_TYPE)
    names = [k for k, _ in pairs]
    if "update" in names or "using-graph-uri" in names or "using-named-graph-uri" in names:
        raise S3GraphError("this endpoint is read-only: updates are not accepted", status=403,
                           code=Code.READ_ONLY)
    queries = [v for k, v in pairs if k == "query"]
    if len(queries) > 1:
        raise QueryError("more than one query parameter", code=Code.TWO_QUERIES)
    infer = infer_flag([v for k, v in pairs if k == "infer"])
    return Call(
        query=queries[0] if queries else None,
        default_graphs=tuple(v for k, v in pairs if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in pairs if k == "named-graph-uri"),
        format=tuple(v for k, v in pairs if k == "format"),
        infer=infer,
    )


def outcome_response(outcome: Outcome) -> Response:
    """Turn a worker's outcome into a response (errors raise, to be rendered by the caller)."""
    if not outcome.ok:
        raise S3GraphError(outcome.message, status=outcome.status, code=outcome.code)
    headers = {RESULTS_HEADER: str(outcome.count)}
    if outcome.truncated:
        headers[TRUNCATED_HEADER] = "true"
    return Response(200, outcome.media_type, outcome.body, headers)


def infer_flag(values: list[str]) -> bool:
    """The `infer` parameter (given at most once, true or false; true when absent)."""
    lowered = [v.lower() for v in values]
    if len(lowered) > 1 or any(v not in ("true", "false") for v in lowered):
        raise QueryError("infer must be given once, as true or false", code=Code.BAD_PARAMETER)
    return lowered != ["false"]
