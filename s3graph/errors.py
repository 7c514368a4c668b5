"""The one family of expected failures: each carries an HTTP status and a stable code."""

from __future__ import annotations


class S3GraphError(Exception):
    """An expected failure meant for the user: a message, an HTTP status and a stable code."""

    status = 500
    code = "error"

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
        return self.status >= 400 and self.code != "rate-limited" and not self.charged


class DataError(S3GraphError):
    """A data, ontology or shapes file is missing or cannot be parsed."""

    code = "data-error"

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ValidationFailed(S3GraphError):
    """The data does not conform to the SHACL shapes."""

    code = "shapes-violated"


class ConfigError(S3GraphError):
    """A setting has a value that cannot be used."""

    code = "bad-setting"


class CatalogError(S3GraphError):
    """A canned-query file has a malformed header or query."""

    code = "bad-canned-query"


class QueryError(S3GraphError):
    """The client's query or request is wrong (syntax, form, parameters)."""

    status = 400
    code = "bad-query"
