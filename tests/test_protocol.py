"""Reading the SPARQL protocol's parameters from a plain request: a table of requests."""

from __future__ import annotations

import pytest

from s3graph.errors import S3GraphError
from s3graph.service.http import Request
from s3graph.service.protocol import Call, parse_call

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
Q = "ASK {}"
G = "http://g/"

#: (request, the call it gives)
PARSED = [
    (Request("GET"), Call(None, (), (), (), True)),
    (Request("GET", (("query", Q),)), Call(Q, (), (), (), True)),
    (Request("GET", (("query", Q), ("infer", "false"))), Call(Q, (), (), (), False)),
    (Request("GET", (("query", Q), ("infer", "TRUE"))), Call(Q, (), (), (), True)),
    (Request("GET", (("query", Q), ("format", "csv"), ("format", "tsv"))), Call(Q, (), (), ("csv", "tsv"), True)),
    (Request("GET", (("query", Q), ("default-graph-uri", G + "1"), ("default-graph-uri", G + "2"),
                     ("named-graph-uri", G + "3"))), Call(Q, (G + "1", G + "2"), (G + "3",), (), True)),
    (Request("POST", (), FORM, b"query=ASK+%7B%7D&format=json"), Call(Q, (), (), ("json",), True)),
    (Request("POST", (("infer", "false"),), FORM, b"query=ASK+%7B%7D"), Call(Q, (), (), (), False)),
    (Request("POST", (), f"{FORM}; charset=UTF-8", b"query=ASK+%7B%7D"), Call(Q, (), (), (), True)),
    (Request("POST", (), DIRECT, Q.encode()), Call(Q, (), (), (), True)),
    (Request("POST", (("default-graph-uri", G),), f"{DIRECT};charset=utf8", Q.encode()), Call(Q, (G,), (), (), True)),
    (Request("POST", (), DIRECT, 'ASK { ?s ?p "Gävle" }'.encode()), Call('ASK { ?s ?p "Gävle" }', (), (), (), True)),
    (Request("POST", (), FORM, b""), Call(None, (), (), (), True)),
]

#: (request, status, code)
REFUSED = [
    (Request("GET", (("query", Q), ("query", Q))), 400, "two-queries"),
    (Request("POST", (("query", Q),), DIRECT, Q.encode()), 400, "two-queries"),
    (Request("POST", (("query", Q),), FORM, b"query=ASK+%7B%7D"), 400, "two-queries"),
    (Request("GET", (("query", Q), ("infer", "maybe"))), 400, "bad-parameter"),
    (Request("GET", (("query", Q), ("infer", "true"), ("infer", "true"))), 400, "bad-parameter"),
    (Request("GET", (("update", "CLEAR ALL"),)), 403, "read-only"),
    (Request("GET", (("query", Q), ("using-graph-uri", G))), 403, "read-only"),
    (Request("POST", (), FORM, b"update=CLEAR+ALL"), 403, "read-only"),
    (Request("POST", (), "application/sparql-update", b"CLEAR ALL"), 403, "read-only"),
    (Request("POST", (), "text/plain", Q.encode()), 415, "unsupported-media-type"),
    (Request("POST", (), "", Q.encode()), 415, "unsupported-media-type"),
    (Request("POST", (), f"{DIRECT}; charset=latin-1", Q.encode()), 415, "not-utf8"),
    (Request("POST", (), DIRECT, b"\xff\xfe"), 415, "not-utf8"),
    (Request("POST", (), FORM, b"query=%FF\xff"), 415, "not-utf8"),
]


@pytest.mark.parametrize(("request_", "call"), PARSED)
def test_parse_call_reads_the_parameters(request_: Request, call: Call) -> None:
    assert parse_call(request_) == call


@pytest.mark.parametrize(("request_", "status", "code"), REFUSED)
def test_parse_call_refuses_with_status_and_code(request_: Request, status: int, code: str) -> None:
    with pytest.raises(S3GraphError) as caught:
        parse_call(request_)
    assert (caught.value.status, caught.value.code) == (status, code)
