"""Negotiation against a real Accept parser: Werkzeug's MIMEAccept, on generated headers."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from s3graph.errors import S3GraphError
from s3graph.formats.negotiation import choose, negotiate, parse_accept
from s3graph.formats.registry import KINDS

OFFERABLE = ("text/turtle", "application/ld+json", "application/n-triples", "text/csv",
             "application/sparql-results+json", "text/html", "image/png")
#: Ranges a header may hold: offerable types (in any case), others, and wildcards. Parameters are
#: put on full types only: Werkzeug lets a wildcard with parameters cover every type, where RFC
#: 9110 §12.5.1 makes the parameters count ("text/plain;format=flowed" is not "text/plain").
FULL = (*OFFERABLE, "application/xml", "TEXT/Turtle", "Application/LD+JSON", "audio/basic")
WILDCARDS = ("*/*", "*/*", "text/*", "application/*", "image/*")
#: Valid qvalues (RFC 9110 §12.4.2) and ones both parsers drop with their entry. An empty "q="
#: is left out: Werkzeug reads it as no weight (q 1), we drop the malformed entry, as the grammar
#: `weight = OWS ";" OWS "q=" qvalue` has no empty qvalue (tests/test_negotiation.py pins ours).
QVALUES = ("0", "0.0", "0.001", "0.25", "0.5", "0.999", "1", "1.0", "1.000")
BAD_QVALUES = ("abc", "1.5", "2", "-0.5")
JUNK = ("junk", "*/csv", "text/", "*")


@st.composite
def entries(draw: st.DrawFn, offered: list[str]) -> str:
    """One Accept entry (a type offered half the time, a wildcard, another type, or junk), maybe with
    a parameter and a q, often 0 (where a wildcard covering the type must not count)."""
    kind = draw(st.sampled_from(("offered", "offered", "wildcard", "wildcard", "full", "junk")))
    if kind == "junk":
        return draw(st.sampled_from(JUNK))
    entry = draw(st.sampled_from({"offered": offered, "wildcard": WILDCARDS, "full": FULL}[kind]))
    if kind != "wildcard" and draw(st.integers(0, 4)) == 0:
        # (not "profile": on JSON-LD it is ignored by design, see test_negotiation.py)
        entry += draw(st.sampled_from((";level=1", "; version=x")))
    if draw(st.booleans()):
        zero = kind == "offered" and draw(st.booleans())
        q = "0" if zero else draw(st.sampled_from(QVALUES + BAD_QVALUES))
        entry += draw(st.sampled_from((";q=", "; q="))) + q
    return entry


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[str], str]:
    """Offered types (in preference order) and an Accept header about them."""
    offered = draw(st.lists(st.sampled_from(OFFERABLE), min_size=1, max_size=5, unique=True))
    return offered, ", ".join(draw(st.lists(entries(offered), max_size=6)))


def named(item: str) -> int:
    """How specific a Werkzeug item without parameters is: */* 0, type/* 1, type/subtype 2."""
    main, _, sub = item.partition("/")
    return 0 if main == "*" else 1 if sub == "*" else 2


@settings(max_examples=150, deadline=None)
@given(case=cases())
@example((["text/turtle", "application/ld+json"], "text/turtle;q=0, */*"))  # the bugs found from outside
@example((["application/sparql-results+json", "text/csv"], "application/sparql-results+json;q=0, */*"))
@example((["text/turtle", "application/ld+json", "application/n-triples"], "application/*"))
def test_the_choice_has_the_best_quality_werkzeug_computes(case: tuple[list[str], str]) -> None:
    offered, header = case
    chosen = choose(offered, header)
    if not parse_accept(header):
        # No valid range: the header says nothing, as if absent (RFC 9110 §12.5.1: no Accept accepts
        # any type). Werkzeug gives every type q 0 here, a header of junk being still "provided".
        assert chosen == offered[0]
        return
    accept = parse_accept_header(header, MIMEAccept)
    quality = {mt: accept.quality(mt) for mt in offered}
    best = max(quality.values())
    if best == 0:
        assert chosen is None, (header, quality)
        return
    assert chosen is not None and quality[chosen] == best, (header, quality, chosen)
    # among the best, the one a more specific range covers, then the first offered
    tied = [mt for mt in offered if quality[mt] == best]
    expected = max(tied, key=lambda mt: (named(accept[accept.find(mt)][0]), -offered.index(mt)))
    assert chosen == expected, (header, quality)


FORMAT_VALUES = ("json", "xml", "csv", "tsv", "html", "ttl", "jsonld", "nt", "trig", "nq", "n3", "rdf",
                 "json-ld", "text/csv", "application/ld+json,application/x-json+ld", "TSV")
PASSED_OVER = ("", "pdf", "image/png", "*/*", "application/pdf,image/gif", "text/")


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(KINDS), values=st.lists(st.sampled_from(FORMAT_VALUES), max_size=3),
       junk=st.lists(st.sampled_from(PASSED_OVER), min_size=1, max_size=3),
       accept=st.sampled_from((None, "*/*", "text/csv, text/turtle;q=0.5", "application/*")))
def test_format_values_naming_nothing_change_nothing(kind: str, values: list[str], junk: list[str],
                                                      accept: str | None) -> None:
    assert negotiate(kind, junk + values, accept) == negotiate(kind, values, accept)
    assert negotiate(kind, junk, accept) == negotiate(kind, None, accept)
    # the first value that names a format of the kind decides, whatever follows and whatever Accept says
    first = next((v for v in values if _names(kind, v)), None)
    if first is not None:
        assert negotiate(kind, values + junk, accept) == negotiate(kind, first, None)


def _names(kind: str, value: str) -> bool:
    """True when a format= value names a format of `kind` (so that no Accept can refuse it)."""
    try:
        negotiate(kind, value, "image/png")
    except S3GraphError:
        return False
    return True
