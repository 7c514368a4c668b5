"""The WSGI front answers /sparql and /queries/<slug> through the service, and hands on the rest to Flask."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from s3graph.service.http import EXPOSED
from s3graph.web.front import Front

NUTS1 = ("SELECT ?code WHERE { ?r a <https://w3id.org/s3graph/ontology#NUTS1Region> ; "
         "<https://w3id.org/s3graph/ontology#nutsCode> ?code } ORDER BY ?code")
CONSTRUCT = "CONSTRUCT { ?r <urn:code> ?code } WHERE { ?r <https://w3id.org/s3graph/ontology#nutsCode> \"SE1\" ; " \
    "<https://w3id.org/s3graph/ontology#nutsCode> ?code }"
GRAPH = "https://w3id.org/s3graph/graph/"

#: (method, path, query string, body, headers, status, media type or error code, rows):
#: every kind of data request the front answers, and its errors.
REQUESTS: list[tuple[str, str, dict[str, Any], Any, dict[str, str], int, str, int | None]] = [
    ("GET", "/sparql", {"query": NUTS1}, None, {}, 200, "application/sparql-results+json", 6),
    ("GET", "/sparql", {"query": NUTS1, "format": "csv"}, None, {}, 200, "text/csv", 6),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "text/tab-separated-values"},
     200, "text/tab-separated-values", 6),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "application/sparql-results+xml;q=0.9, text/csv;q=0.5"},
     200, "application/sparql-results+xml", 6),
    ("GET", "/sparql", {"query": CONSTRUCT}, None, {"Accept": "application/n-triples"},
     200, "application/n-triples", 1),
    ("GET", "/sparql", {"query": CONSTRUCT, "format": "jsonld"}, None, {}, 200, "application/ld+json", 1),
    ("GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}, None, {}, 200, "application/sparql-results+json", 1),
    ("GET", "/sparql", {"query": NUTS1, "infer": "false"}, None, {}, 200, "application/sparql-results+json", 6),
    ("GET", "/sparql", {"query": NUTS1, "default-graph-uri": GRAPH + "nuts"}, None, {},
     200, "application/sparql-results+json", 6),
    ("POST", "/sparql", {}, {"query": NUTS1, "format": "tsv"}, {}, 200, "text/tab-separated-values", 6),
    ("POST", "/sparql", {}, NUTS1.encode(), {"Content-Type": "application/sparql-query"},
     200, "application/sparql-results+json", 6),
    ("GET", "/sparql", {"query": "SELEC * WHERE { ?s ?p ?o }"}, None, {}, 400, "syntax-error", None),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "image/png"}, 406, "not-acceptable", None),
    ("GET", "/sparql", {"query": NUTS1, "default-graph-uri": "http://example.org/unknown"}, None, {},
     400, "unknown-graph", None),
    ("GET", "/sparql", {"query": NUTS1, "infer": "maybe"}, None, {}, 400, "bad-parameter", None),
    ("POST", "/sparql", {}, b"query=x", {"Content-Type": "text/plain"}, 415, "unsupported-media-type", None),
    ("POST", "/sparql", {}, b"\xff\xfe", {"Content-Type": "application/sparql-query"}, 415, "not-utf8", None),
    ("POST", "/sparql", {}, {"update": "CLEAR ALL"}, {}, 403, "read-only", None),
    ("POST", "/sparql", {}, {"format": "json"}, {}, 400, "no-query", None),
    ("POST", "/sparql", {"query": NUTS1}, NUTS1.encode(), {"Content-Type": "application/sparql-query"},
     400, "two-queries", None),
    # SE312: S3 Platform, Vanguard, ADMA Energy and Vanguard through it (its authority), the pilot (SE31)
    ("GET", "/queries/region-profile", {}, None, {}, 200, "application/sparql-results+json", 5),
    # SE311: S3 Platform, Vanguard, Bioenergy and S3P Energy through it, BSR Stars S3, the pilot
    ("GET", "/queries/region-profile", {"region": "Värmland", "format": "csv"}, None, {}, 200, "text/csv", 6),
    ("GET", "/queries/region-profile", {"region": "SE-S", "infer": "false"}, None,
     {"Accept": "text/tab-separated-values"}, 200, "text/tab-separated-values", 0),
    ("GET", "/queries/region-profile", {"region": "SE312", "region2": "x"}, None, {}, 400, "bad-parameter", None),
    ("GET", "/queries/region-profile", {"region": "Atlantis"}, None, {}, 400, "bad-parameter", None),
    ("GET", "/queries/region-profile", {"infer": "perhaps"}, None, {}, 400, "bad-parameter", None),
    ("GET", "/queries/region-profile", {}, None, {"Accept": "application/n-triples"}, 406, "not-acceptable", None),
    ("GET", "/queries/active-in-year", {"year": "2019", "format": "xml"}, None, {},
     200, "application/sparql-results+xml", 8),
    ("GET", "/queries/active-in-year", {"year": "twenty"}, None, {}, 400, "bad-parameter", None),
    ("GET", "/queries/no-such-query", {}, None, {}, 404, "not-found", None),
]


def _call(client: Client, method: str, path: str, args: dict[str, Any], body: Any,
          headers: dict[str, str]) -> Response:
    headers = {"X-Request-Id": "fixed-id", **headers}
    return client.open(path, method=method, query_string=args, data=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "args", "body", "headers", "status", "what", "count"), REQUESTS)
def test_the_front_answers_data_requests_with_the_one_header_policy(  # type: ignore[no-untyped-def]
        app, method: str, path: str, args: dict[str, Any], body: Any, headers: dict[str, str],
        status: int, what: str, count: int | None) -> None:
    assert isinstance(app.wsgi_app, Front)
    response = _call(Client(app.wsgi_app, Response), method, path, args, body, headers)
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == what
        assert response.headers["X-S3Graph-Results"] == str(count)
    else:
        assert response.mimetype == "application/json"
        assert json.loads(response.data) == {"error": what, "status": status, "request_id": "fixed-id",
                                             "message": json.loads(response.data)["message"]}
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == EXPOSED
    assert response.headers["X-Request-Id"] == "fixed-id"
    assert response.headers["Content-Length"] == str(len(response.data))


def test_the_front_answers_its_routes_without_flask_and_hands_on_the_rest(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    inner = app.wsgi_app.fallback

    def spy(environ, start_response):  # type: ignore[no-untyped-def]
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    monkeypatch.setattr(app.wsgi_app, "fallback", spy)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": NUTS1}).status_code == 200
    assert client.post("/sparql", data={"query": NUTS1}).status_code == 200
    assert client.get("/sparql", query_string={"query": "SELEC"}).status_code == 400
    assert client.get("/queries/region-profile", query_string={"format": "csv"}).status_code == 200
    # pages of the service's own routes, the service description, preflight and other methods too
    assert client.get("/sparql").status_code == 200
    assert client.get("/sparql", query_string={"query": NUTS1}, headers={"Accept": "text/html"}).status_code == 200
    page = client.post("/sparql", data={"query": NUTS1, "format": "html"})
    assert page.status_code == 200 and page.mimetype == "text/html" and b"SE1" in page.data
    assert client.options("/sparql").status_code == 200
    put = client.put("/sparql")
    assert put.status_code == 405 and put.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert client.get("/queries/region-profile", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/queries/region-profile", query_string={"format": "html"}).mimetype == "text/html"
    assert client.post("/queries/region-profile").headers["Allow"] == "GET, HEAD, OPTIONS"
    head = client.head("/sparql", query_string={"query": NUTS1})
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) > 0
    assert calls == []
    # everything else is Flask's
    assert client.get("/queries").status_code == 200
    assert client.get("/queries/region-profile/").status_code == 404
    assert client.get("/").status_code == 200
    assert calls == ["/queries", "/queries/region-profile/", "/"]


def test_flask_responses_carry_the_same_header_policy(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/queries", "/nothing-here", "/id/territory/SE312"):
        response = client.get(path, headers={"X-Request-Id": "r-1"})
        # pages named in the visitor's language also vary by Accept-Language
        vary = "Accept, Accept-Language" if path in ("/", "/id/territory/SE312") else "Accept"
        assert response.headers["Vary"] == vary, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert response.headers["Access-Control-Expose-Headers"] == EXPOSED, path
        assert response.headers["X-Request-Id"] == "r-1", path
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_oversized_body_is_refused_before_it_is_read(app) -> None:  # type: ignore[no-untyped-def]
    limit = app.wsgi_app.max_body
    response = app.test_client().post("/sparql", data=b"x" * (limit + 1),
                                      content_type="application/sparql-query")
    assert response.status_code == 413
    assert json.loads(response.data)["error"] == "body-too-large"
