"""Canned-query parameters written into the query as constants, so that the planner sees them.

Oxigraph's `substitutions` bind a variable before evaluation, but its planner still sees a
variable: a `FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?text)))` cannot narrow the scan it
follows, and `?region s3:participatesIn ?c` is planned as if ?region were unknown. At 10^6
triples that is the difference between a filter after a full scan (12 s) and an index
look-up (0.4 s). `inline` writes each validated term (in N-Triples syntax, which is SPARQL
syntax too) where its variable stands in the query's patterns, filters, expressions,
HAVING and ORDER BY expressions, and keeps the variable where it is projected, grouped or
ordered by on its own, adding a final `VALUES` clause that binds it there, so that the result has the same columns and
rows as with the substitution. What the rewrite cannot apply to (the variable in a VALUES
block or a BIND target, a literal that would land in a subject) makes the query fail to
parse; the engine then runs the original with the substitution.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from ..terms import Term
from .guard import tokens

#: Words that end a GROUP BY or ORDER BY clause.
_AFTER_GROUP = frozenset({"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"})
_AFTER_ORDER = frozenset({"LIMIT", "OFFSET", "VALUES"})


def inline(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with `bindings` written in as constants (see the module's docstring)."""
    if not bindings:
        return sparql
    pieces: list[str] = []
    done = 0
    for offset, name, kept in _variables(sparql):
        if kept or name not in bindings:
            continue  # projected, grouped or ordered by: bound by the final VALUES clause
        pieces.append(sparql[done:offset])
        pieces.append(str(bindings[name]))
        done = offset + 1 + len(name)
    pieces.append(sparql[done:])
    names = sorted(bindings)
    terms = " ".join(str(bindings[n]) for n in names)
    pieces.append(f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}\n")
    return "".join(pieces)


@lru_cache(maxsize=512)
def _variables(sparql: str) -> tuple[tuple[int, str, bool], ...]:
    """Every variable of the query: its offset, its name, and whether it stands on its own in
    a SELECT, GROUP BY or ORDER BY clause (kept there). Read once per query text: the canned
    queries are a few, their requests many."""
    found: list[tuple[int, str, bool]] = []
    in_select = in_group = in_order = False
    depth = 0  # brackets opened since SELECT, GROUP BY or ORDER BY
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
        if token.kind == "var":
            found.append((token.offset, token.text[1:], (in_select or in_group or in_order) and depth == 0))
    return tuple(found)
