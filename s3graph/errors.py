"""The one family of expected failures: each carries an HTTP status and a stable code."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Every stable error code a client or a script can see (and code may branch on)."""

    ERROR = "error"
    INTERNAL = "internal-error"
    # the request
    BAD_REQUEST = "bad-request"
    BAD_PARAMETER = "bad-parameter"
    NO_QUERY = "no-query"
    TWO_QUERIES = "two-queries"
    EMPTY_QUERY = "empty-query"
    BAD_QUERY = "bad-query"
    SYNTAX_ERROR = "syntax-error"
    QUERY_TOO_LONG = "query-too-long"
    QUERY_TOO_DEEP = "query-too-deep"
    BODY_TOO_LARGE = "body-too-large"
    UNKNOWN_GRAPH = "unknown-graph"
    SERVICE_REFUSED = "service-refused"
    UPDATE_REFUSED = "update-refused"
    READ_ONLY = "read-only"
    NOT_FOUND = "not-found"
    NOT_ACCEPTABLE = "not-acceptable"
    PRECONDITION_FAILED = "precondition-failed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type"
    NOT_UTF8 = "not-utf8"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    RATE_LIMITED = "rate-limited"
    # running the query
    QUERY_TIMEOUT = "query-timeout"
    QUERY_TOO_LARGE = "query-too-large"
    BUSY = "busy"
    FEDERATION_FAILED = "federation-failed"
    BACKEND_FAILED = "backend-failed"
    UNKNOWN_FUNCTION = "unknown-function"
    WORKER_CRASHED = "worker-crashed"
    WORKER_START = "worker-start"
    SERVER_FAILED = "server-failed"
    # files and settings (the command line)
    DATA_ERROR = "data-error"
    CACHE_ERROR = "cache-error"
    CANNOT_LISTEN = "cannot-listen"
    SHAPES_VIOLATED = "shapes-violated"
    BAD_SETTING = "bad-setting"
    BAD_CANNED_QUERY = "bad-canned-query"
    BAD_FILE = "bad-file"
    BAD_FORMAT = "bad-format"
    USAGE = "usage"


class S3GraphError(Exception):
    """An expected failure meant for the user: a message, an HTTP status and a stable code."""

    status = 500
    code: str = Code.ERROR

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        #: True when the client was already charged for this failure (rate limits).
        self.charged = False

    @property
    def counts_against_client(self) -> bool:
        """Whether this failure is to be counted against the client's error allowance."""
        return self.status >= 400 and self.code not in (Code.RATE_LIMITED, Code.INTERNAL) and not self.charged


class DataError(S3GraphError):
    """A data, ontology or shapes file is missing or cannot be parsed."""

    code = Code.DATA_ERROR

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ValidationFailed(S3GraphError):
    """The data does not conform to the SHACL shapes."""

    code = Code.SHAPES_VIOLATED


class ConfigError(S3GraphError):
    """A setting has a value that cannot be used."""

    code = Code.BAD_SETTING


class CatalogError(S3GraphError):
    """A canned-query file has a malformed header or query."""

    code = Code.BAD_CANNED_QUERY


class QueryError(S3GraphError):
    """The client's query or request is wrong (syntax, form, parameters)."""

    status = 400
    code = Code.BAD_QUERY
