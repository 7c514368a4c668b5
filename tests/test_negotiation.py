"""Format negotiation is a pure function (RFC 9110 §12.5.1): table tests."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from s3graph.errors import S3GraphError
from s3graph.formats.negotiation import MediaRange, choose, negotiate, parse_accept, prefers_html

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
#: What SPARQLWrapper 2.0 sends for its N3 and JSON-LD return formats on a CONSTRUCT or DESCRIBE.
SW_N3 = "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
SW_JSONLD = "application/ld+json,application/x-json+ld"
#: The server's preference per kind (rank order): json csv tsv xml html; ttl jsonld nt xml trig nq html.

Format = str | Sequence[str] | None


@pytest.mark.parametrize(("kind", "fmt", "accept", "expected"), [
    # nothing asked: the kind's default
    ("bindings", None, None, "json"),
    ("bindings", None, "", "json"),
    ("bindings", None, "  ,  ", "json"),
    ("bindings", None, "garbage", "json"),  # no valid range at all: as if there were no Accept
    ("bindings", None, "*/*", "json"),  # curl
    ("graph", None, None, "ttl"),
    ("graph", None, "*/*", "ttl"),
    # one type named
    ("bindings", None, "text/csv", "csv"),
    ("bindings", None, "text/tab-separated-values", "tsv"),
    ("bindings", None, "application/sparql-results+xml", "xml"),
    ("bindings", None, "TEXT/CSV", "csv"),
    ("graph", None, "application/ld+json", "jsonld"),
    ("graph", None, "application/n-triples", "nt"),
    ("graph", None, "application/rdf+xml", "xml"),
    ("graph", None, "application/trig", "trig"),
    ("graph", None, "application/n-quads", "nq"),
    # q-values
    ("bindings", None, "application/sparql-results+xml;q=0.5, text/csv;q=0.9", "csv"),
    ("bindings", None, "text/csv;q=0.5, application/sparql-results+json", "json"),
    ("bindings", None, "text/csv ; q=0.5 , application/sparql-results+xml ; q=0.4", "csv"),
    ("bindings", None, "text/csv;q=.7, application/sparql-results+xml;q=0.6", "csv"),  # Java's ".7"
    ("bindings", None, "text/csv;q=abc, text/tab-separated-values;q=0.5", "tsv"),  # unreadable q: entry skipped
    ("bindings", None, "text/csv;q=2, text/tab-separated-values;q=0.5", "tsv"),  # q above 1: entry skipped
    ("bindings", None, "text/csv;q=-1, text/tab-separated-values;q=0.5", "tsv"),
    ("bindings", None, "text/csv;q=, text/tab-separated-values;q=0.5", "tsv"),  # empty q: entry skipped
    ("graph", None, "text/turtle;q=0.2, application/ld+json;q=0.8", "jsonld"),
    ("graph", None, "application/sparql-results+json, text/turtle;q=0.1", "ttl"),
    # q=0 is "not this", also when a wildcard would cover the type (the three bugs, and each type)
    ("graph", None, "text/turtle;q=0, */*", "jsonld"),
    ("bindings", None, "application/sparql-results+json;q=0, */*", "csv"),
    ("bindings", None, "text/csv;q=0, */*", "json"),
    ("bindings", None, "text/csv;q=0, text/*", "tsv"),
    ("bindings", None, "text/tab-separated-values;q=0, text/*", "csv"),
    ("bindings", None, "application/sparql-results+json;q=0, application/*", "xml"),
    ("bindings", None, "application/sparql-results+xml;q=0, application/sparql-results+json;q=0, */*", "csv"),
    ("bindings", None, "text/html;q=0, text/csv;q=0, text/*", "tsv"),
    ("graph", None, "text/turtle;q=0, application/ld+json;q=0, */*", "nt"),
    ("graph", None, "application/ld+json;q=0, application/*", "nt"),
    ("graph", None, "application/ld+json;q=0, application/n-triples;q=0, application/*", "xml"),
    ("graph", None, "text/turtle;q=0, text/*", "html"),  # text/* still covers the page
    ("graph", None, "*/*;q=0, application/n-quads", "nq"),
    # wildcards: a type range covers only its own type
    ("graph", None, "application/*", "jsonld"),
    ("graph", None, "text/*", "ttl"),
    ("bindings", None, "text/*", "csv"),
    ("bindings", None, "application/*", "json"),
    ("bindings", None, "application/*;q=0.5, text/csv;q=0.4", "json"),
    # ties: a named type beats a wildcard, then the server's preference (never the header's order)
    ("bindings", None, "text/tab-separated-values, text/csv", "csv"),
    ("bindings", None, "application/sparql-results+xml, text/csv", "csv"),
    ("bindings", None, "*/*, text/tab-separated-values", "tsv"),
    ("bindings", None, "text/*, application/sparql-results+xml", "xml"),
    ("bindings", None, "text/*;q=0.9, application/sparql-results+xml;q=0.8", "csv"),  # q first
    ("graph", None, "application/n-quads, application/trig", "trig"),
    ("graph", None, "*/*, application/rdf+xml", "xml"),
    ("graph", None, "application/n-quads;q=0, application/n-quads", "nq"),  # a repeated range: its best q
    # browsers
    ("bindings", None, BROWSER, "html"),
    ("graph", None, BROWSER, "html"),
    ("graph", None, CHROME, "html"),
    # parameters: charset=utf-8 is always met; another parameter must be on what we send
    ("bindings", None, "application/sparql-results+json;charset=utf-8", "json"),
    ("bindings", None, "text/csv; charset=UTF-8", "csv"),
    ("bindings", None, 'text/csv;charset="utf-8"', "csv"),
    ("bindings", None, "text/csv;charset=latin1, text/tab-separated-values;q=0.1", "tsv"),
    # JSON-LD profiles are ignored (the media type's registration says a server MUST ignore those
    # it does not recognise; expanded is what we send)
    ("graph", None, 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded", text/turtle;q=0.1',
     "jsonld"),
    ("graph", None, 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', "jsonld"),
    ("graph", None, "application/n-triples;level=2, text/turtle;q=0.1", "ttl"),
    ("graph", None, "text/turtle;charset=utf-8;q=0, */*", "jsonld"),
    # media-type aliases count when named, never through a wildcard
    ("bindings", None, "application/json", "json"),
    ("bindings", None, "text/xml", "xml"),
    ("bindings", None, "application/xml", "xml"),
    ("bindings", None, "application/json;q=0, */*", "csv"),  # refusing JSON refuses SPARQL JSON too
    ("graph", None, "application/json", "jsonld"),
    ("graph", None, "application/x-json+ld", "jsonld"),
    ("graph", None, "application/xml", "xml"),
    ("graph", None, "text/plain", "nt"),
    ("graph", None, "text/n3", "ttl"),
    ("graph", None, "text/rdf+n3", "ttl"),
    ("graph", None, "application/x-turtle", "ttl"),
    ("graph", None, SW_N3, "ttl"),
    ("graph", None, SW_JSONLD, "jsonld"),
    # format= wins over Accept when it names a format of the kind
    ("bindings", "csv", "application/sparql-results+json", "csv"),
    ("bindings", "application/sparql-results+xml", None, "xml"),
    ("bindings", "TSV", None, "tsv"),
    ("bindings", " text/csv ; charset=utf-8 ", None, "csv"),
    ("bindings", "html", "text/csv", "html"),
    ("graph", "jsonld", "text/turtle", "jsonld"),
    ("graph", "nq", None, "nq"),
    ("graph", "json", "*/*", "jsonld"),  # "json" on a graph is JSON-LD
    ("graph", "xml", "*/*", "xml"),  # "xml" on a graph is RDF/XML
    ("bindings", "xml", "*/*", "xml"),
    ("graph", "n3", None, "ttl"),
    ("graph", "text/n3", None, "ttl"),
    ("graph", "rdf", None, "xml"),
    ("graph", "rdf+xml", None, "xml"),
    ("graph", "application/x-json+ld", None, "jsonld"),
    ("graph", "nquads", None, "nq"),
    ("graph", "n-triples", None, "nt"),
    ("graph", "trig", None, "trig"),
    # repeated format=: the first that fits wins
    ("bindings", ("tsv", "csv"), None, "tsv"),
    ("bindings", ("pdf", "csv"), None, "csv"),
    ("bindings", ("ttl", "tsv"), None, "tsv"),
    ("graph", ("json-ld", "application/ld+json,application/x-json+ld"), SW_JSONLD, "jsonld"),
    ("graph", ("rdf+xml", "application/rdf+xml"), "application/rdf+xml", "xml"),
    ("bindings", ("tsv", "text/tab-separated-values"), "text/tab-separated-values", "tsv"),
    # comma lists: the first item that fits wins
    ("graph", "application/ld+json,application/x-json+ld", None, "jsonld"),
    ("bindings", "application/ld+json, text/csv", None, "csv"),
    ("bindings", "pdf,tsv,csv", None, "tsv"),
    # unknown, empty or other-kind format= falls back to Accept
    ("bindings", "pdf", None, "json"),
    ("bindings", "pdf", "text/csv", "csv"),
    ("bindings", "ttl", "text/csv", "csv"),
    ("bindings", "", "text/csv", "csv"),
    ("bindings", ("json-ld", ""), "*/*", "json"),
    ("bindings", ("n3",), "*/*", "json"),
    ("graph", "csv", None, "ttl"),
    ("graph", "csv", "application/n-triples", "nt"),
    ("graph", ("tsv", ""), "*/*", "ttl"),
    ("graph", (), "application/trig", "trig"),
    ("bindings", "*/*", "text/csv", "csv"),
])
def test_negotiate_picks_the_format(kind: str, fmt: Format, accept: str | None, expected: str) -> None:
    assert negotiate(kind, fmt, accept) == expected


@pytest.mark.parametrize(("kind", "fmt", "accept"), [
    ("bindings", None, "image/png"),
    ("bindings", None, "text/turtle"),
    ("graph", None, "text/csv"),
    ("graph", None, "application/sparql-results+json"),
    ("bindings", None, "text/csv;q=0"),
    ("bindings", None, "*/*;q=0"),
    ("graph", None, "*/*;q=0"),
    ("graph", None, "text/*;q=0, application/*;q=0"),
    ("bindings", None, "application/json;q=0, application/sparql-results+xml;q=0, text/*;q=0"),
    ("bindings", "pdf", "image/png"),
    ("graph", "csv", "text/csv"),
    ("graph", None, "text/turtle;q=0, text/n3"),  # an alias never overrides its own type, named
])
def test_negotiate_refuses_with_406_listing_what_is_supported(kind: str, fmt: str | None,
                                                               accept: str | None) -> None:
    with pytest.raises(S3GraphError) as caught:
        negotiate(kind, fmt, accept)
    assert caught.value.status == 406
    assert "supported:" in caught.value.message
    assert ("text/csv" if kind == "bindings" else "text/turtle") in caught.value.message


def test_the_406_message_names_the_format_values_passed_over() -> None:
    with pytest.raises(S3GraphError) as caught:
        negotiate("bindings", ("pdf", "ttl"), "image/png", html=False)
    assert caught.value.message == (
        "nothing in the Accept header can be produced (and format='pdf', 'ttl' names no bindings format); "
        "supported: application/sparql-results+json, application/sparql-results+xml, text/csv, "
        "text/tab-separated-values")


def test_html_can_be_left_out() -> None:
    assert negotiate("bindings", None, "text/html, */*;q=0.1", html=False) == "json"
    assert negotiate("bindings", None, BROWSER, html=False) == "xml"  # application/xml;q=0.9
    assert negotiate("graph", None, BROWSER, html=False) == "xml"
    assert negotiate("bindings", "html", "text/csv", html=False) == "csv"  # not on offer: passed over
    assert negotiate("graph", None, "text/turtle;q=0, text/*") == "html"
    with pytest.raises(S3GraphError):
        negotiate("graph", None, "text/turtle;q=0, text/*", html=False)
    with pytest.raises(S3GraphError):
        negotiate("bindings", None, "text/html", html=False)


@pytest.mark.parametrize(("accept", "expected"), [
    (BROWSER, True),
    (CHROME, True),
    ("text/html", True),
    ("text/html;q=0.9, application/json;q=0.8", True),
    ("application/json;q=0.5, text/html", True),
    ("*/*", False),
    (None, False),
    ("", False),
    ("garbage", False),
    ("application/json", False),
    ("text/html, application/json", False),  # a tie goes to data
    ("text/html;q=0, */*", False),
    ("text/*", False),
    ("text/turtle, text/html;q=0.5", False),
    ("application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5", False),
])
def test_prefers_html(accept: str | None, expected: bool) -> None:
    assert prefers_html(accept) is expected


#: RFC 9110 §12.5.1's example header; by its rule the types come in this order of q:
#: format=flowed 1, text/plain 0.7, image/jpeg 0.5, format=fixed 0.4, text/html 0.3. (The RFC's
#: table gives text/html;level=3 0.7, but no text/html range is listed: text/* gives it 0.3.)
RFC = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, text/plain;format=fixed;q=0.4, */*;q=0.5"


@pytest.mark.parametrize(("offered", "expected"), [
    (["text/html", "text/plain;format=fixed", "image/jpeg", "text/plain", "text/plain;format=flowed"],
     "text/plain;format=flowed"),
    (["text/html", "text/plain;format=fixed", "image/jpeg", "text/plain"], "text/plain"),
    (["text/html", "text/plain;format=fixed", "image/jpeg"], "image/jpeg"),
    (["text/html", "text/plain;format=fixed"], "text/plain;format=fixed"),
    (["text/html;level=3", "text/html"], "text/html;level=3"),  # both 0.3: the server's order
    (["text/html"], "text/html"),
    ([], None),
])
def test_choose_follows_the_rfc_example(offered: list[str], expected: str | None) -> None:
    assert choose(offered, RFC) == expected


def test_choose_without_accept_takes_the_first_and_aliases_count_only_when_named() -> None:
    assert choose(["a/b", "c/d"], None) == "a/b"
    assert choose(["a/b", "c/d"], "") == "a/b"
    assert choose(["a/b", "c/d"], "x/y") is None
    assert choose(["a/b", "c/d"], "x/y", {"x/y": "c/d"}) == "c/d"
    assert choose(["a/b", "c/d"], "x/*", {"x/y": "c/d"}) is None
    assert choose(["a/b", "c/d"], "c/d;q=0, x/y", {"x/y": "c/d"}) is None  # the own type, named, decides
    assert choose(["a/b", "c/d"], "x/y;q=0, */*", {"x/y": "a/b"}) == "c/d"


def test_parse_accept_reads_q_values_and_parameters_and_skips_junk() -> None:
    ranges = parse_accept('text/csv;q=0.3, junk, application/json;q=abc, */*, */csv, text/, '
                          'text/plain;Format="Flowed";charset=utf-8;q=1, a/b;q=1.5, c/d;x')
    assert ranges == [MediaRange("text", "csv", (), 0.3), MediaRange("*", "*", (), 1.0),
                      MediaRange("text", "plain", (("format", "flowed"),), 1.0)]
    assert [r.specificity for r in ranges] == [4, 0, 5]
    assert parse_accept(None) == [] and parse_accept('a/b;p="x,y", c/d') == [
        MediaRange("a", "b", (("p", "x,y"),), 1.0), MediaRange("c", "d", (), 1.0)]


def test_short_accept_headers_are_remembered_long_ones_never() -> None:
    from s3graph.formats import negotiation

    negotiation._chosen_kept.cache_clear()
    assert negotiate("graph", None, "text/turtle;q=0, */*") == negotiate("graph", None, "text/turtle;q=0, */*")
    assert negotiation._chosen_kept.cache_info().currsize == 1
    long = "text/turtle;q=0, " + ", ".join(f"x-{i}/y" for i in range(100)) + ", */*"
    assert len(long) > negotiation.CACHED_ACCEPT
    assert negotiate("graph", None, long) == "jsonld"  # the same rules, answered afresh
    assert negotiation._chosen_kept.cache_info().currsize == 1
    for i in range(3000):  # many distinct short headers: the memory stays bounded
        negotiate("bindings", None, f"text/csv;q=0.{i % 9 + 1}, x-{i}/y")
    assert negotiation._chosen_kept.cache_info().currsize == 2048
