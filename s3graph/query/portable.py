"""A canned query's text for a store that is not Oxigraph: the same answer, in a shape it gets right.

Virtuoso 7.2 finds nothing in an OPTIONAL whose UNION branches share different variables with
the rest of the query (one branch joins the row on `?territory`, another on `?country`): the
canned queries' provenance blocks have that shape, so their sources and claim status were
lost there. For such a block,

    OPTIONAL { {A} UNION {B} }     becomes     { {} UNION { {A} UNION {B} } }

a join with a UNION whose first branch is empty. That keeps every row the OPTIONAL gives
and adds, for each row of the left side, one more row with the block's variables unbound.
The canned queries read those variables only through duplicate-blind aggregates that pass
over an unbound value (`MIN(COALESCE(?rank, 9))`, 9 meaning "no claim";
`GROUP_CONCAT(DISTINCT COALESCE(STR(?source), ""))`, trimmed), so the answer is the same;
`s3graph publish` checks that it is, query by query, before a front end answers from the
store. Oxigraph keeps the text as written: it plans an OPTIONAL from the left side's rows,
and the join form would evaluate each branch over the whole dataset.

Parameters are written in as the embedded engine writes them (`inline`), with a VALUES
block for the projected ones (the PLANNED form); a store that still answers otherwise gets
them bound by that block alone, not written in anywhere (the PLAIN form: Virtuoso 7 loses
rows where a sub-select projects a variable that is a constant inside it, and plans worse
without the constants). `s3graph publish` finds which form, if any, a store answers each
canned query in as the build does, and the manifest says so.

A block with a FILTER at its top is left alone (that FILTER may read the left side's
variables, which the join form cannot), and so is any block whose branches all share the
same variables with the rest (those Virtuoso answers right).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from .guard import Token, tokens
from .inline import inline

PLANNED = "planned"
PLAIN = "plain"
#: The forms a canned query is sent to a store in, the preferred first.
FORMS = (PLANNED, PLAIN)


def _pairs(toks: Sequence[Token]) -> dict[int, int]:
    """Index of each opening bracket token -> index of the token that closes it."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, tok in enumerate(toks):
        if tok.kind == "open":
            stack.append(i)
        elif tok.kind == "close" and stack:
            pairs[stack.pop()] = i
    return pairs


def _variables(toks: Sequence[Token], pairs: dict[int, int] | None = None, start: int = 0,
               end: int | None = None) -> frozenset[str]:
    """The variables of tokens `start` to `end`; with `pairs`, not those inside an EXISTS or
    NOT EXISTS group (they join nothing outside it)."""
    found: set[str] = set()
    i, stop = start, len(toks) if end is None else end
    while i < stop:
        tok = toks[i]
        if tok.kind == "var":
            found.add(tok.text[1:])
        elif pairs is not None and tok.kind == "name" and tok.text.upper() == "EXISTS" and i + 1 < stop:
            i = pairs.get(i + 1, i)
        i += 1
    return frozenset(found)


def _branches(toks: Sequence[Token], start: int, end: int, pairs: dict[int, int]) -> list[tuple[int, int]] | None:
    """The UNION branches at the top of the group between tokens `start` and `end` (its braces),
    as (open, close) token indexes, or None if the group holds no UNION or a FILTER at its top."""
    groups: list[tuple[int, int]] = []
    unions = 0
    i = start + 1
    while i < end:
        tok = toks[i]
        if tok.kind == "name" and tok.text.upper() == "FILTER":
            return None
        if tok.kind == "name" and tok.text.upper() == "UNION":
            unions += 1
        if tok.kind == "name" and tok.text.upper() == "VALUES":  # its data block is no branch
            while i < end and toks[i].text != "{":
                i += 1
            i = pairs.get(i, i)
        elif tok.kind == "open":
            if tok.text == "{" and i in pairs:
                groups.append((i, pairs[i]))
            i = pairs.get(i, i)
        i += 1
    if not unions:
        return None
    return groups


@lru_cache(maxsize=256)
def portable(text: str) -> str:
    """`text` with each OPTIONAL { … UNION … } whose branches share different variables with
    the rest of the query pattern written as a join with { {} UNION { … } } (see the module's note)."""
    toks = list(tokens(text))
    pairs = _pairs(toks)
    edits: list[tuple[int, int, str]] = []  # (start offset, end offset, replacement)
    for i, tok in enumerate(toks[:-1]):
        if not (tok.kind == "name" and tok.text.upper() == "OPTIONAL" and toks[i + 1].text == "{"):
            continue
        start, end = i + 1, pairs.get(i + 1)
        if end is None:
            continue
        branches = _branches(toks, start, end, pairs)
        if not branches:
            continue
        # The rest of the query pattern: the outermost group around the block (the WHERE clause),
        # not the projection or the aggregates, which read the block's own variables.
        top = min((a for a, b in pairs.items() if toks[a].text == "{" and a < start and b > end), default=start)
        outside = _variables(toks, pairs, top, start) | _variables(toks, pairs, end + 1, pairs.get(top, end) + 1)
        shared = {_variables(toks, None, a, b + 1) & outside for a, b in branches}
        if len(shared) < 2:
            continue
        close = toks[end]
        edits.append((tok.offset, tok.offset + len(tok.text), "{ {} UNION"))
        edits.append((close.offset + 1, close.offset + 1, " }"))
    for begin, finish, replacement in sorted(edits, reverse=True):
        text = text[:begin] + replacement + text[finish:]
    return text


def store_query(sparql: str, bindings: Mapping[str, object], form: str) -> tuple[str, dict[str, object]]:
    """A canned query for a store in `form` (PLANNED or PLAIN): the text to send and the
    bindings left for the engine to write in (`bindings`' values: terms or their N-Triples)."""
    text = portable(sparql)
    if form == PLAIN:
        return inline(text, bindings, values=True, constants=False), {}
    return text, dict(bindings)
