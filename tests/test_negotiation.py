"""Format negotiation is a pure function: table tests."""

from __future__ import annotations

import pytest

from s3graph.errors import S3GraphError
from s3graph.formats.negotiation import negotiate, parse_accept


@pytest.mark.parametrize(("kind", "fmt", "accept", "expected"), [
    ("bindings", None, None, "json"),
    ("bindings", None, "*/*", "json"),
    ("bindings", None, "text/csv", "csv"),
    ("bindings", None, "text/tab-separated-values", "tsv"),
    ("bindings", None, "application/sparql-results+xml", "xml"),
    ("bindings", None, "application/sparql-results+xml;q=0.5, text/csv;q=0.9", "csv"),
    ("bindings", None, "text/csv;q=0.5, application/sparql-results+json", "json"),
    ("bindings", None, "text/*", "csv"),
    ("bindings", None, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("bindings", None, "application/json", "json"),
    ("bindings", "csv", "application/sparql-results+json", "csv"),
    ("bindings", "application/sparql-results+xml", None, "xml"),
    ("bindings", "TSV", None, "tsv"),
    ("graph", None, None, "ttl"),
    ("graph", None, "*/*", "ttl"),
    ("graph", None, "application/ld+json", "jsonld"),
    ("graph", None, "application/n-triples", "nt"),
    ("graph", None, "application/rdf+xml", "xml"),
    ("graph", None, "application/trig", "trig"),
    ("graph", None, "application/n-quads", "nq"),
    ("graph", None, "text/turtle;q=0.2, application/ld+json;q=0.8", "jsonld"),
    ("graph", None, "application/sparql-results+json, text/turtle;q=0.1", "ttl"),
    ("graph", "jsonld", "text/turtle", "jsonld"),
    ("graph", "nq", None, "nq"),
])
def test_negotiate_picks_the_format(kind: str, fmt: str | None, accept: str | None, expected: str) -> None:
    assert negotiate(kind, fmt, accept) == expected


@pytest.mark.parametrize(("kind", "fmt", "accept"), [
    ("bindings", None, "image/png"),
    ("bindings", None, "text/turtle"),
    ("graph", None, "text/csv"),
    ("bindings", "pdf", None),
    ("graph", "csv", None),
    ("bindings", None, "text/csv;q=0"),
])
def test_negotiate_refuses_with_406_listing_what_is_supported(kind: str, fmt: str | None,
                                                               accept: str | None) -> None:
    with pytest.raises(S3GraphError) as caught:
        negotiate(kind, fmt, accept)
    assert caught.value.status == 406
    assert "supported:" in caught.value.message
    assert ("text/csv" if kind == "bindings" else "text/turtle") in caught.value.message


def test_html_can_be_left_out() -> None:
    assert negotiate("bindings", None, "text/html, */*;q=0.1", html=False) == "json"
    with pytest.raises(S3GraphError):
        negotiate("bindings", None, "text/html", html=False)


def test_parse_accept_reads_q_values_and_skips_junk() -> None:
    ranges = parse_accept("text/csv;q=0.3, junk, application/json;q=abc, */*")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "csv", 0.3), ("application", "json", 0.0), ("*", "*", 1.0)]
