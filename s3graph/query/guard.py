r"""Check a query before any engine sees it: size, nesting, form, SERVICE targets, FROM graphs.

A lexer that follows the terminals of the SPARQL 1.1 grammar walks the text once, in
linear time: comments end at a carriage return or a line feed; strings of all four forms
with their escapes, IRIs, and prefixed names with their escapes (`ex:a\#b` is one name).
Keywords inside strings, IRIs and comments never count, and text the lexer cannot read as
the engine would is refused. It does not replace the engine's parser: it only finds what
must be refused, and the dataset the query names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urljoin

import pyoxigraph as ox

from ..errors import Code, QueryError, S3GraphError
from .second_reading import mentions_service, service_targets

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY",
                             "MOVE", "ADD", "WITH", "USING"})
#: The words the checks act on (any other keyword, number or boolean is passed over).
_KEYWORDS = frozenset({"PREFIX", "BASE", "FROM", "SERVICE", *FORMS, *UPDATE_KEYWORDS})

# The terminals of the SPARQL 1.1 grammar (section 19.8), as the engine reads them.
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_VARCHARS = _BASE + "_0-9\u00B7\u0300-\u036F\u203F-\u2040"  # VARNAME's characters
_PNCHARS = _VARCHARS + r"\-"  # PN_CHARS
_ECHAR = r"""\\(?:[tbnrf\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_UCHAR = r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_LOCAL_ESC = r"""\\[_~.\-!$&'()*+,;=/?#@%]"""
_LONG1 = "'''"
_TOKEN = re.compile(rf"""
    (?:[\x20\t\r\n]++|\#[^\r\n]*+)*+  # whitespace and comments before the token, skipped
    (?:(?P<end>\Z)  # only whitespace and comments were left: every position matches (linear time)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>)
  | (?P<string>\"\"\"(?:"{{0,2}}(?:[^"\\]|{_ECHAR}))*+\"\"\"
              |{_LONG1}(?:'{{0,2}}(?:[^'\\]|{_ECHAR}))*+{_LONG1}
              |"(?:[^"\\\n\r]|{_ECHAR})*+"
              |'(?:[^'\\\n\r]|{_ECHAR})*+')
  | (?P<var>[?$][{_VARCHARS}]++)
  | (?P<langtag>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<word>(?:[{_PNCHARS}.:]|%[0-9A-Fa-f]{{2}}|{_LOCAL_ESC})++)
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<other>.))
""", re.VERBOSE | re.DOTALL)
_UCHAR_VALUE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: Characters that start a lexical form the engine reads as one token: when the lexer cannot
#: read such a form (an unclosed string, a stray escape), the query is refused rather than
#: read differently from the engine.
_UNREADABLE = frozenset("\"'\\")


class Token(NamedTuple):
    """A lexical token: its kind, text and offset in the query (a tuple: the lexer makes one
    a token, and a tuple is made several times faster than a frozen dataclass)."""

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
    """The tokens of `text`, without whitespace and comments, in linear time.

    A run of name characters is read as one word and then split as the grammar splits it:
    unescaped dots at its ends are not part of a name (`?s ex:p ex:o.` ends with a dot), a
    word starting `_:` is a blank node, one with a colon a prefixed name (PNAME_NS or
    PNAME_LN), any other a keyword or a number.
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "end":
            return
        value, offset = match.group(kind), match.start(kind)
        if kind == "word":
            if "." not in value:  # most words: no dot at either end to split off
                yield Token("bnode" if value.startswith("_:") else "name", value, offset)
            else:
                yield from _split_word(value, offset)
            continue
        if kind == "other" and value in _UNREADABLE:
            raise QueryError(f"syntax error at {_position(text, offset)}: unexpected {value}",
                             code=Code.SYNTAX_ERROR)
        yield Token(kind, value, offset)


def _split_word(value: str, offset: int) -> Iterator[Token]:
    """A word with dots: unescaped dots at its ends are tokens of their own."""
    start, end = 0, len(value)
    while start < end and value[start] == ".":
        yield Token("other", ".", offset + start)
        start += 1
    trailing = 0
    while end > start and value[end - 1] == "." and value[end - 2:end] != "\\.":
        end -= 1
        trailing += 1
    if start < end:
        word = value[start:end]
        yield Token("bnode" if word.startswith("_:") else "name", word, offset + start)
    for k in range(trailing):
        yield Token("other", ".", offset + end + k)


@lru_cache(maxsize=1024)
def _resolve(base: str, iri: str) -> str:
    """`iri` resolved against `base` (remembered: most queries declare the same few prefixes)."""
    return urljoin(base, iri)


def _iri_text(token: str) -> str:
    """The IRI inside `<...>`, its \\u and \\U escapes decoded (as the engine decodes them)."""
    return _UCHAR_VALUE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token[1:-1])


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
        self.written: dict[str, str] = {}  # each prefix's IRI as written (escapes decoded, not resolved)
        self.form: str | None = None
        self.froms: list[str] = []
        self.from_named: list[str] = []
        self.services: list[tuple[str | None, Token]] = []
        self.depth = 0
        self.max_depth = 0

    def iri(self, token: Token) -> str | None:
        """The absolute IRI a token denotes, if it is an IRI or a known prefixed name."""
        if token.kind == "iri":
            return _resolve(self.base, _iri_text(token.text))
        if token.kind == "name" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            if prefix in self.prefixes:
                return self.prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return None

    def as_written(self, token: Token) -> str | None:
        """The IRI a token spells, unresolved (escapes decoded); None for anything else."""
        if token.kind == "iri":
            return _iri_text(token.text)
        if token.kind == "name" and ":" in token.text:
            prefix, _, local = token.text.partition(":")
            if prefix in self.written:
                return self.written[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        return None

    def scan(self, items: Iterable[Token], max_depth: int) -> None:
        """Run through the tokens; raises QueryError on what must be refused."""
        stream = list(items)
        i, count = 0, len(stream)
        while i < count:
            kind, text, offset = stream[i]
            if kind == "open":
                self.depth += 1
                self._nesting(0, max_depth, offset)
            elif kind == "close":
                self.depth -= 1
            elif kind == "iri":
                # An IRI's brackets count too: where `<` is less-than, the engine reads them
                # as brackets (`?a<((1))>0`), and no real IRI holds many.
                inner = text.count("(") + text.count("[")
                if inner:
                    self._nesting(inner, max_depth, offset)
            elif kind == "name":
                if ":" in text:
                    prefix = text.partition(":")[0]
                    if prefix not in self.prefixes:
                        raise QueryError(f"syntax error at {_position(self.text, offset)}: unknown "
                                         f"prefix {prefix}: (declare it with PREFIX)", code=Code.SYNTAX_ERROR)
                else:
                    word = text.upper()
                    if word in _KEYWORDS:
                        i = self._keyword(word, stream, i)
            i += 1

    def _nesting(self, inner: int, max_depth: int, offset: int) -> None:
        self.max_depth = max(self.max_depth, self.depth + inner)
        if self.depth + inner > max_depth:
            raise QueryError(f"the query nests deeper than {max_depth} levels "
                             f"(at {_position(self.text, offset)})", code=Code.QUERY_TOO_DEEP)

    def _keyword(self, word: str, stream: list[Token], i: int) -> int:
        """Act on a keyword the checks need at stream[i]; returns the index of the last token used."""
        token, count = stream[i], len(stream)
        if word == "PREFIX" and i + 2 < count and stream[i + 2].kind == "iri":
            name, written = stream[i + 1].text.rstrip(":"), _iri_text(stream[i + 2].text)
            self.prefixes[name] = _resolve(self.base, written)
            self.written[name] = written
            return i + 2
        if word == "BASE" and i + 1 < count and stream[i + 1].kind == "iri":
            self.base = _resolve(self.base, stream[i + 1].text[1:-1])
            return i + 1
        if word in UPDATE_KEYWORDS:
            raise QueryError(f"this endpoint is read-only: {word} is an update "
                             f"(at {_position(self.text, token.offset)})", code=Code.UPDATE_REFUSED)
        if word in FORMS:
            if self.form is None:
                self.form = word
        elif word == "FROM" and i + 1 < count:
            named = stream[i + 1].text.upper() == "NAMED"
            target = stream[i + 2] if named and i + 2 < count else stream[i + 1]
            iri = self.iri(target)
            if iri is not None:
                (self.from_named if named else self.froms).append(iri)
            return i + (2 if named else 1)
        elif word == "SERVICE":
            j = i + 1
            if j < count and stream[j].text.upper() == "SILENT":
                j += 1
            target = stream[j] if j < count else token
            self.services.append((self.as_written(target), target))
        return i


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
          base: str, own_endpoint: str | None = None) -> CheckedQuery:
    """Check `text`; returns what was learnt, or raises a 4xx error naming the problem.

    A SERVICE must name a constant, absolute IRI on `allowlist` (exactly as written, never
    the service's own endpoint); a query that names SERVICE anywhere is read a second time
    by another parser (`second_reading`), which must find the same.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_length:
        raise S3GraphError(f"the query is {size} bytes; the limit is {max_length}",
                           status=413, code=Code.QUERY_TOO_LONG)
    if not text.strip():
        raise QueryError("the query is empty", code=Code.EMPTY_QUERY)
    scanner = _Scanner(text, base)
    scanner.scan(tokens(text), max_depth)
    allowed = set(allowlist) - {own_endpoint}
    for iri, token in scanner.services:
        where = f"(at {_position(text, token.offset)})"
        if iri is None:
            raise QueryError(f"SERVICE needs a constant IRI from the federation allow-list {where}",
                             code=Code.SERVICE_REFUSED)
        if iri == own_endpoint:
            raise QueryError(f"SERVICE <{iri}> is this endpoint itself {where}", code=Code.SERVICE_REFUSED)
        if not _ABSOLUTE.match(iri) or iri not in allowed:
            raise QueryError(f"SERVICE <{iri}> is not on the federation allow-list {where}",
                             code=Code.SERVICE_REFUSED)
    if scanner.form is None:
        raise syntax_error(text)
    if mentions_service(text):
        try:
            targets = service_targets(text)
        except QueryError as exc:  # rdflib cannot read a SERVICE inside a SERVICE, for one
            raise QueryError("a query that names SERVICE is read a second time, and the second reading could "
                             f"not read this one: {exc.message}", code=Code.SERVICE_REFUSED) from None
        for iri in targets:
            if iri is None or iri not in allowed:
                raise QueryError(f"SERVICE <{iri or 'a variable'}> is not on the federation allow-list "
                                 "(found by the second reading)", code=Code.SERVICE_REFUSED)
    return CheckedQuery(text, scanner.form, tuple(scanner.froms), tuple(scanner.from_named),
                        tuple(iri for iri, _ in scanner.services if iri))
