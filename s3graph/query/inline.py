"""Canned-query parameters written into the query as constants, so that the planner sees them.

Oxigraph's `substitutions` bind a variable before evaluation, but its planner still sees a
variable: a `FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?text)))` cannot narrow the scan it
follows, and `?region s3:participatesIn ?c` is planned as if ?region were unknown. At 10^6
triples that is the difference between a filter after a full scan (12 s) and an index
look-up (0.4 s). `inline` writes each validated term (in N-Triples syntax, which is SPARQL
syntax too) where its variable stands in the query's patterns, filters, expressions,
HAVING and ORDER BY expressions, and keeps the variable where it is projected, grouped or
ordered by on its own, binding it there with a `BIND` at the start of the WHERE group, so
that the result has the same columns and rows as with the substitution. (A trailing
`VALUES` clause would do the same, but Virtuoso 7 answers nothing when one follows a GROUP
BY.) The text is plain SPARQL 1.1: the same rewrite serves a remote store. What the rewrite
cannot apply to (the variable in a VALUES block or a BIND target, a literal that would land
in a subject) makes the query fail to parse; the engine then runs the original with the
substitution (a remote store: with VALUES blocks).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from .guard import tokens

#: Words that end a GROUP BY or ORDER BY clause.
_AFTER_GROUP = frozenset({"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"})
_AFTER_ORDER = frozenset({"LIMIT", "OFFSET", "VALUES"})


def inline(sparql: str, bindings: Mapping[str, object], values: bool = False,
           constants: bool = True) -> str:
    """The query with `bindings` written in as constants (see the module's docstring); with
    `values`, the kept variables are bound by a VALUES block at the start of the WHERE group
    instead of BINDs (for a remote store: Virtuoso 7 loses a BIND's value in a join with a
    UNION further on, which a one-row VALUES block it keeps). Without `constants`, every
    variable is kept: the block at the start binds them all (Virtuoso 7 also loses a row when
    a sub-select projects a variable that is a constant inside it)."""
    bind = _values if values else _binds
    if not bindings:
        return sparql
    found, where = _variables(sparql)
    if where is None:
        return sparql  # no WHERE group to bind in: the engine's substitution does it
    pieces: list[str] = []
    done = 0
    for offset, name, kept in found:
        if kept or name not in bindings or not constants:
            continue  # projected, grouped or ordered by: bound at the start of the WHERE group
        if done <= where < offset:
            pieces.append(sparql[done:where + 1])
            done = where + 1
            pieces.append(bind(bindings))
        pieces.append(sparql[done:offset])
        pieces.append(str(bindings[name]))
        done = offset + 1 + len(name)
    if done <= where:
        pieces.append(sparql[done:where + 1])
        done = where + 1
        pieces.append(bind(bindings))
    pieces.append(sparql[done:])
    return "".join(pieces)


def _binds(bindings: Mapping[str, object]) -> str:
    """Each bound variable bound to its term (for the columns of the result, as the substitution
    leaves them: the variable is written in as a constant everywhere else)."""
    return "".join(f" BIND({bindings[name]} AS ?{name})" for name in sorted(bindings))


def _values(bindings: Mapping[str, object]) -> str:
    """The same as `_binds`, as one VALUES block of one row (a join with it binds the same)."""
    names = sorted(bindings)
    return (f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(str(bindings[n]) for n in names)}) }}")


@lru_cache(maxsize=512)
def _variables(sparql: str) -> tuple[tuple[tuple[int, str, bool], ...], int | None]:
    """Every variable of the query (its offset, its name, and whether it stands on its own in
    a SELECT, GROUP BY or ORDER BY clause: kept there), and the offset of the brace that opens
    the WHERE group. Read once per query text: the canned queries are a few, their requests many."""
    found: list[tuple[int, str, bool]] = []
    in_select = in_group = in_order = False
    depth = 0  # brackets opened since SELECT, GROUP BY or ORDER BY
    braces = 0  # braces open
    form = ""  # the query form, and how many top-level groups it has before the WHERE group
    groups = 0
    where: int | None = None
    after_where = False
    for token in tokens(sparql):
        word = token.text.upper() if token.kind == "name" else ""
        if word == "SELECT":
            in_select, in_group, in_order, depth = True, False, False, 0
        elif word == "GROUP":
            in_select, in_group, in_order, depth = False, True, False, 0
        elif word == "ORDER":
            in_select, in_group, in_order, depth = False, False, True, 0
        elif in_group and (word in _AFTER_GROUP or token.text in ("{", "}")):
            in_group = False
        elif in_order and (word in _AFTER_ORDER or token.text in ("{", "}")):
            in_order = False
        elif in_select and (token.text == "{" or word in ("WHERE", "FROM")):
            in_select = False
        elif token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        if word in ("SELECT", "ASK", "DESCRIBE", "CONSTRUCT") and not form:
            form = word
        elif word == "WHERE" and braces == 0:
            after_where = True
        elif token.text == "{":
            if braces == 0 and where is None:
                groups += 1
                # CONSTRUCT's template comes first, unless WHERE says which group is meant
                if after_where or form != "CONSTRUCT" or groups == 2:
                    where = token.offset
            braces += 1
        elif token.text == "}":
            braces -= 1
        if token.kind == "var":
            found.append((token.offset, token.text[1:], (in_select or in_group or in_order) and depth == 0))
    return tuple(found), where
