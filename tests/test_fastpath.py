"""The WSGI hot path answers /sparql and /queries/<slug> exactly as the Flask routes do, and hands on the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from s3graph.fastpath import SparqlWSGI

NUTS1 = ("SELECT ?code WHERE { ?r a <https://w3id.org/s3graph/ontology#NUTS1Region> ; "
         "<https://w3id.org/s3graph/ontology#nutsCode> ?code } ORDER BY ?code")
CONSTRUCT = "CONSTRUCT { ?r <urn:code> ?code } WHERE { ?r <https://w3id.org/s3graph/ontology#nutsCode> \"SE1\" ; " \
    "<https://w3id.org/s3graph/ontology#nutsCode> ?code }"
GRAPH = "https://w3id.org/s3graph/graph/"

#: (method, query string, body, headers): every kind of data request and its errors.
REQUESTS: list[tuple[str, str, dict[str, Any], Any, dict[str, str]]] = [
    ("GET", "/sparql", {"query": NUTS1}, None, {}),
    ("GET", "/sparql", {"query": NUTS1, "format": "csv"}, None, {}),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "text/tab-separated-values"}),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "application/sparql-results+xml;q=0.9, text/csv;q=0.5"}),
    ("GET", "/sparql", {"query": CONSTRUCT}, None, {"Accept": "application/n-triples"}),
    ("GET", "/sparql", {"query": CONSTRUCT, "format": "jsonld"}, None, {}),
    ("GET", "/sparql", {"query": "ASK { ?s ?p ?o }"}, None, {}),
    ("GET", "/sparql", {"query": NUTS1, "infer": "false"}, None, {}),
    ("GET", "/sparql", {"query": NUTS1, "default-graph-uri": GRAPH + "nuts"}, None, {}),
    ("POST", "/sparql", {}, {"query": NUTS1, "format": "tsv"}, {}),
    ("POST", "/sparql", {}, NUTS1.encode(), {"Content-Type": "application/sparql-query"}),
    ("GET", "/sparql", {"query": "SELEC * WHERE { ?s ?p ?o }"}, None, {}),
    ("GET", "/sparql", {"query": NUTS1}, None, {"Accept": "image/png"}),
    ("GET", "/sparql", {"query": NUTS1, "default-graph-uri": "http://example.org/unknown"}, None, {}),
    ("GET", "/sparql", {"query": NUTS1, "infer": "maybe"}, None, {}),
    ("POST", "/sparql", {}, b"query=x", {"Content-Type": "text/plain"}),
    ("POST", "/sparql", {}, b"\xff\xfe", {"Content-Type": "application/sparql-query"}),
    ("POST", "/sparql", {}, {"update": "CLEAR ALL"}, {}),
    ("POST", "/sparql", {}, {"format": "json"}, {}),
    ("POST", "/sparql", {"query": NUTS1}, NUTS1.encode(), {"Content-Type": "application/sparql-query"}),
    ("GET", "/queries/region-profile", {}, None, {}),
    ("GET", "/queries/region-profile", {"region": "Värmland", "format": "csv"}, None, {}),
    ("GET", "/queries/region-profile", {"region": "SE-S", "infer": "false"}, None,
     {"Accept": "text/tab-separated-values"}),
    ("GET", "/queries/region-profile", {"region": "SE312", "region2": "x"}, None, {}),
    ("GET", "/queries/region-profile", {"region": "Atlantis"}, None, {}),
    ("GET", "/queries/region-profile", {"infer": "perhaps"}, None, {}),
    ("GET", "/queries/region-profile", {}, None, {"Accept": "application/n-triples"}),
    ("GET", "/queries/active-in-year", {"year": "2019", "format": "xml"}, None, {}),
    ("GET", "/queries/active-in-year", {"year": "twenty"}, None, {}),
    ("GET", "/queries/no-such-query", {}, None, {}),
]


def _call(client: Client, method: str, path: str, args: dict[str, Any], body: Any,
          headers: dict[str, str]) -> Response:
    headers = {"X-Request-Id": "fixed-id", **headers}
    return client.open(path, method=method, query_string=args, data=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "args", "body", "headers"), REQUESTS)
def test_hot_path_answers_as_the_flask_route(app, method: str, path: str, args: dict[str, Any],  # type: ignore[no-untyped-def]
                                             body: Any, headers: dict[str, str]) -> None:
    assert isinstance(app.wsgi_app, SparqlWSGI)
    fast = _call(Client(app.wsgi_app, Response), method, path, args, body, headers)
    flask = _call(Client(app.wsgi_app.fallback, Response), method, path, args, body, headers)
    assert fast.status_code == flask.status_code
    assert fast.get_data() == flask.get_data()
    for name in ("Content-Type", "Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
                 "X-Request-Id", "X-S3Graph-Results", "X-S3Graph-Truncated", "Retry-After"):
        assert fast.headers.get(name) == flask.headers.get(name), name
    assert fast.headers["X-Request-Id"] == "fixed-id"


def test_hot_path_does_not_enter_flask(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
    assert calls == []
    # pages, the service description, browsers, preflight and other methods are Flask's
    assert client.get("/sparql").status_code == 200
    assert client.get("/sparql", query_string={"query": NUTS1}, headers={"Accept": "text/html"}).status_code == 200
    page = client.post("/sparql", data={"query": NUTS1, "format": "html"})
    assert page.status_code == 200 and page.mimetype == "text/html" and b"SE1" in page.data
    assert client.options("/sparql").status_code == 200
    assert client.put("/sparql").status_code == 405
    assert calls == ["/sparql"] * 5
    assert client.get("/queries/region-profile", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/queries/region-profile", query_string={"format": "html"}).mimetype == "text/html"
    assert client.get("/queries").status_code == 200
    assert client.get("/queries/region-profile/").status_code == 404
    assert calls[5:] == ["/queries/region-profile"] * 2 + ["/queries", "/queries/region-profile/"]


def test_oversized_body_is_refused_before_it_is_read(app) -> None:  # type: ignore[no-untyped-def]
    limit = app.wsgi_app.max_body
    response = app.test_client().post("/sparql", data=b"x" * (limit + 1),
                                      content_type="application/sparql-query")
    assert response.status_code == 413
    assert json.loads(response.data)["error"] == "body-too-large"
