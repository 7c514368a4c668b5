"""Check a query before any engine sees it: size, nesting, form, SERVICE targets, FROM graphs.

A small lexer walks the text once, skipping strings, IRIs and comments, so that keywords
inside them never count. It does not replace the engine's parser: it only finds what must
be refused, and the dataset the query names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox

from ..errors import Code, QueryError, S3GraphError

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY",
                             "MOVE", "ADD", "WITH", "USING"})

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<bnode>_:[\w\-.\u00B7-\uFFFF]+)
  | (?P<name>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7-\uFFFF]*)?:
             (?:[\w\-.:%\\\u00B7-\uFFFF]*[\w\-:%\u00B7-\uFFFF])?
             |[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    """A lexical token: its kind, text and offset in the query."""

    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard, with what the guard learnt about it."""

    text: str
    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    from_graphs: tuple[str, ...]
    from_named_graphs: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def kind(self) -> str:
        """ "bindings" for SELECT and ASK, "graph" for CONSTRUCT and DESCRIBE."""
        return "bindings" if self.form in ("SELECT", "ASK") else "graph"


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, without whitespace and comments."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.start())


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


class _Scanner:
    """Walks the tokens once, collecting what the checks need."""

    def __init__(self, text: str, base: str) -> None:
        self.text = text
        self.base = base
        self.prefixes: dict[str, str] = {}
        self.form: str | None = None
        self.froms: list[str] = []
        self.from_named: list[str] = []
        self.services: list[tuple[str | None, Token]] = []
        self.depth = 0
        self.max_depth = 0

    def iri(self, token: Token) -> str | None:
        """The absolute IRI a token denotes, if it is an IRI or a known prefixed name."""
        if token.kind == "iri":
            return urljoin(self.base, token.text[1:-1])
        if token.kind == "name" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + local.replace("\\", "")
        return None

    def scan(self, items: Iterable[Token], max_depth: int) -> None:
        """Run through the tokens; raises QueryError on what must be refused."""
        stream = list(items)
        i = 0
        while i < len(stream):
            token = stream[i]
            word = token.text.upper() if token.kind == "name" and ":" not in token.text else ""
            if token.kind == "open":
                self.depth += 1
                self.max_depth = max(self.max_depth, self.depth)
                if self.depth > max_depth:
                    raise QueryError(f"the query nests deeper than {max_depth} levels "
                                     f"(at {_position(self.text, token.offset)})", code=Code.QUERY_TOO_DEEP)
            elif token.kind == "close":
                self.depth -= 1
            elif word == "PREFIX" and i + 2 < len(stream) and stream[i + 2].kind == "iri":
                self.prefixes[stream[i + 1].text.rstrip(":")] = urljoin(self.base, stream[i + 2].text[1:-1])
                i += 2
            elif word == "BASE" and i + 1 < len(stream) and stream[i + 1].kind == "iri":
                self.base = urljoin(self.base, stream[i + 1].text[1:-1])
                i += 1
            elif word in UPDATE_KEYWORDS:
                raise QueryError(f"this endpoint is read-only: {word} is an update "
                                 f"(at {_position(self.text, token.offset)})", code=Code.UPDATE_REFUSED)
            elif word in FORMS and self.form is None:
                self.form = word
            elif word == "FROM" and i + 1 < len(stream):
                named = stream[i + 1].text.upper() == "NAMED"
                target = stream[i + 2] if named and i + 2 < len(stream) else stream[i + 1]
                iri = self.iri(target)
                if iri is not None:
                    (self.from_named if named else self.froms).append(iri)
                i += 2 if named else 1
            elif token.kind == "name" and ":" in token.text:
                prefix = token.text.partition(":")[0]
                if prefix not in self.prefixes:
                    raise QueryError(f"syntax error at {_position(self.text, token.offset)}: unknown "
                                     f"prefix {prefix}: (declare it with PREFIX)", code=Code.SYNTAX_ERROR)
            elif word == "SERVICE":
                j = i + 1
                if j < len(stream) and stream[j].text.upper() == "SILENT":
                    j += 1
                target = stream[j] if j < len(stream) else token
                self.services.append((self.iri(target), target))
            i += 1


def syntax_error(text: str) -> QueryError:
    """The parser's own message, with its position, for text that is not a query."""
    try:
        ox.Store().query(text)  # an empty store: parsing is all that happens
    except SyntaxError as exc:
        return QueryError(describe_syntax_error(exc), code=Code.SYNTAX_ERROR)
    return QueryError("not a query: expected SELECT, CONSTRUCT, DESCRIBE or ASK", code=Code.SYNTAX_ERROR)


def describe_syntax_error(exc: SyntaxError) -> str:
    """Oxigraph's "error at L:C: ..." as "syntax error at line L, column C: ..."."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid query"
    match = re.match(r"error at (\d+):(\d+): (.*)", first)
    if match is None:
        return f"syntax error: {first}"
    line, column, message = match.groups()
    return f"syntax error at line {line}, column {column}: {message}"


def check(text: str, *, max_length: int, max_depth: int, allowlist: Iterable[str],
          base: str) -> CheckedQuery:
    """Check `text`; returns what was learnt, or raises a 4xx error naming the problem."""
    size = len(text.encode("utf-8"))
    if size > max_length:
        raise S3GraphError(f"the query is {size} bytes; the limit is {max_length}",
                           status=413, code=Code.QUERY_TOO_LONG)
    if not text.strip():
        raise QueryError("the query is empty", code=Code.EMPTY_QUERY)
    scanner = _Scanner(text, base)
    scanner.scan(tokens(text), max_depth)
    allowed = set(allowlist)
    for iri, token in scanner.services:
        if iri is None:
            raise QueryError(f"SERVICE needs a constant IRI from the federation allow-list "
                             f"(at {_position(text, token.offset)})", code=Code.SERVICE_REFUSED)
        if iri not in allowed:
            raise QueryError(f"SERVICE <{iri}> is not on the federation allow-list "
                             f"(at {_position(text, token.offset)})", code=Code.SERVICE_REFUSED)
    if scanner.form is None:
        raise syntax_error(text)
    return CheckedQuery(text, scanner.form, tuple(scanner.froms), tuple(scanner.from_named),
                        tuple(iri for iri, _ in scanner.services if iri))
