"""The guard reads queries as the engine does: properties over generated queries (hypothesis).

1. Queries built from the grammar's lexical forms (comments ended by CR or LF, strings of
   all four forms with escapes, IRIs, prefixed names with escapes) around real groups and
   SERVICE calls: every query is valid for Oxigraph and for rdflib, the guard measures the
   depth the query was built with and finds exactly the SERVICE calls rdflib finds.
2. Token soup: whatever the guard lets through, Oxigraph, running it, never connects to a
   listener that is not on the allow-list.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3graph.errors import S3GraphError
from s3graph.query.guard import check
from s3graph.query.second_reading import mentions_service, service_targets
from tests.helpers import Listener

ALLOWED = "https://query.wikidata.org/sparql"
BASE = "https://w3id.org/s3graph/"
PREFIXES = "PREFIX e: <http://example.org/> PREFIX w: <https://query.wikidata.org/> "
#: Characters that mean something to a lexer, and words that must not count inside text.
NOISY = st.sampled_from([*"{}()[]<>#'\"\\.;: ?$@xé\t", " SERVICE ", "INSERT", "\u2028", "{{{{"])


def _short_string(draw: st.DrawFn, quote: str) -> str:
    parts = []
    for piece in draw(st.lists(NOISY, max_size=8)):
        for char in piece:
            if char in (quote, "\\", "\n", "\r"):
                parts.append("\\" + {"\n": "n", "\r": "r"}.get(char, char))
            else:
                parts.append(char)
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["\\t", "\\u00e9", "\\U0001F600", "\\'", '\\"', "\\\\"])))
    return quote + "".join(parts) + quote


def _long_string(draw: st.DrawFn, quote: str) -> str:
    body = "".join(draw(st.lists(NOISY, max_size=8))).replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote * 3 + body + draw(st.sampled_from(["", "\n", "\r\n"])) + quote * 3


@st.composite
def noise(draw: st.DrawFn) -> tuple[str, int]:
    """A lexical form whose insides must not count (comment, string, IRI, escaped name), and
    the brackets it adds to the depth: a FILTER's, and those inside an IRI, which the guard
    counts on purpose (where `<` is less-than, the engine reads them as brackets)."""
    kind = draw(st.sampled_from(["comment", "short", "long", "iri", "name"]))
    if kind == "comment":
        text = "".join(draw(st.lists(NOISY, max_size=6))).replace("\n", " ").replace("\r", " ")
        return " #" + text + draw(st.sampled_from(["\n", "\r", "\r\n"])), 0
    quote = draw(st.sampled_from(['"', "'"]))
    if kind == "short":
        return f" FILTER(?o != {_short_string(draw, quote)}) ", 1
    if kind == "long":
        return f" FILTER(?o != {_long_string(draw, quote)}) ", 1
    if kind == "iri":
        return " FILTER(?o != <http://example.org/a(b)/c:d?e=(f)%20\\u0041#g(h)>) ", 1 + 3
    escape = draw(st.sampled_from(["\\#", "\\'", "\\)", "\\(", "\\,", "\\;", "\\.", "\\~"]))
    return f" FILTER(?o != e:a{escape}b) ", 1


@st.composite
def group(draw: st.DrawFn, depth_left: int, service: bool = True) -> tuple[str, int, list[str]]:
    """A group graph pattern: (text, its depth counted in brackets, SERVICE targets in it).
    No SERVICE inside a SERVICE: the second reading (rdflib) cannot read one, so the guard
    refuses it (a test below)."""
    parts, depth, services = ["{ ?s ?p ?o ."], 1, list[str]()
    kinds = ["noise", "group", "service", "parens"] if service else ["noise", "group", "parens"]
    for _ in range(draw(st.integers(0, 3))):
        choice = draw(st.sampled_from(kinds if depth_left else ["noise"]))
        if choice == "noise":
            text, extra = draw(noise())
            parts.append(text)
            depth = max(depth, 1 + extra)
        elif choice == "group":
            text, inner, found = draw(group(depth_left - 1, service))
            parts.append(" OPTIONAL " + text)
            depth, services = max(depth, 1 + inner), services + found
        elif choice == "service":
            target = draw(st.sampled_from([f"<{ALLOWED}>", "w:sparql"]))
            text, inner, found = draw(group(depth_left - 1, service=False))
            parts.append(f" SERVICE {draw(st.sampled_from(['', 'SILENT ']))}{target} {text}")
            depth, services = max(depth, 1 + inner), [*services, ALLOWED, *found]
        else:
            n = draw(st.integers(1, 6))
            parts.append(" FILTER(" + "(" * n + "1" + ")" * n + " = 1) ")
            depth = max(depth, 2 + n)  # FILTER( ... ) inside this group
    parts.append(" }")
    return "".join(parts), depth, services


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group(3))
def test_the_guard_measures_depth_and_finds_services_as_the_parsers_do(built: tuple[str, int, list[str]]) -> None:
    body, depth, services = built
    query = PREFIXES + "SELECT * WHERE " + body
    ox.Store().query(query)  # valid for the engine (raises SyntaxError otherwise)
    try:
        found = sorted(str(t) for t in service_targets(query))  # what rdflib reads
    except S3GraphError:
        # rdflib cannot read every valid query (a SERVICE in a SERVICE, "\\'" in a "..." string):
        # then a query that names SERVICE anywhere is refused, any other passes.
        if mentions_service(query):
            with pytest.raises(S3GraphError) as refused:
                check(query, max_length=1 << 20, max_depth=depth, allowlist=[ALLOWED], base=BASE)
            assert refused.value.code == "service-refused"
            return
        found = sorted(services)
    assert found == sorted(services)
    checked = check(query, max_length=1 << 20, max_depth=depth, allowlist=[ALLOWED], base=BASE)
    assert sorted(checked.services) == sorted(services)
    with pytest.raises(S3GraphError) as caught:
        check(query, max_length=1 << 20, max_depth=depth - 1, allowlist=[ALLOWED], base=BASE)
    assert caught.value.code == "query-too-deep"


def test_a_service_inside_a_service_is_refused_as_unreadable_by_the_second_reading() -> None:
    query = PREFIXES + f"SELECT * WHERE {{ SERVICE <{ALLOWED}> {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }} }}"
    with pytest.raises(S3GraphError) as caught:
        check(query, max_length=1 << 20, max_depth=64, allowlist=[ALLOWED], base=BASE)
    assert (caught.value.status, caught.value.code) == (400, "service-refused")
    assert caught.value.message == ("a query that names SERVICE is read a second time, and the second "
                                    "reading could not read this one: the query nests too deeply to be read")


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


#: Fragments valid in a group (most of them) that a careless lexer reads differently, and a
#: few raw characters that are not.
SOUP = [" #x\r", " #x\n", " #\r\n", " # {\r", ' FILTER(?o != "a\\"#") ', " FILTER(?o != 'b\\'#') ",
        " FILTER(?o != e:a\\#b) ", " FILTER(?o != e:a\\'b) ", " FILTER(?o != e:a\\)b) ", " FILTER(?o != e:a\\,) ",
        ' FILTER(?o != """x\r#""") ', " FILTER(?o != '''y'#''') ", " FILTER(?o != <urn:a#b>) ",
        " OPTIONAL { ?s ?p ?o } ", " . ", " ?s ?p e:o . ", " FILTER(?o<(1)) ", "#", "\r", "\n", "'", '"', "\\",
        "{", "}"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SOUP), max_size=5), st.lists(st.sampled_from(SOUP), max_size=3))
def test_what_the_guard_passes_never_calls_a_service_off_the_list(listener: Listener, before: list[str],
                                                                 after: list[str]) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    soup = [*before, "SERVICE <{target}> { ?a ?b ?c }", *after]
    query = PREFIXES + "SELECT * WHERE { ?s ?p ?o . " + "".join(soup).replace("{target}", target) + " }"
    try:
        check(query, max_length=1 << 20, max_depth=64, allowlist=[ALLOWED], base=BASE)
    except S3GraphError:
        return  # refused: nothing reaches the engine
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    connections = listener.connections
    try:
        result = store.query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    time.sleep(0.01)
    assert listener.connections == connections, query
