"""Safety under untrusted queries: read-only, no fetching, SERVICE allow-list, limits, isolation."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3graph.build.loader import SourceFile, parse_file
from s3graph.errors import DataError
from s3graph.query.executors import InProcess, WorkerPool, _Worker
from s3graph.web import create_app
from tests.helpers import Listener, wait_for
from tests.stores import free_port, stop, wait_until_answering

SIMPLE = "SELECT ?code WHERE { <https://w3id.org/s3graph/id/territory/SE312> " \
    "<https://w3id.org/s3graph/ontology#nutsCode> ?code }"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return json.loads(response.data)["error"]


@pytest.fixture()
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


@pytest.fixture(params=["oxigraph", "rdflib"])
def any_client(request, make_app, engine, rdflib_engine):  # type: ignore[no-untyped-def]
    """A client on each engine."""
    chosen = engine if request.param == "oxigraph" else rdflib_engine
    return make_app(executor=InProcess(chosen)).test_client()


# a. read-only -----------------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:1/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/s3graph/graph/sweden>",
    "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
])
def test_every_update_form_is_refused(client, update: str, default_graph_size: int) -> None:  # type: ignore[no-untyped-def]
    responses = [
        client.post("/sparql", data=update.encode(), content_type="application/sparql-update"),
        client.post("/sparql", data={"update": update}),
        client.get("/sparql", query_string={"update": update}),
        client.get("/sparql", query_string={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data=update.encode(), content_type="application/sparql-query"),
    ]
    assert [r.status_code // 100 for r in responses] == [4] * 6
    assert {error_code(r) for r in responses} <= {"read-only", "update-refused"}
    still = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert json.loads(still.data)["results"]["bindings"][0]["n"]["value"] == str(default_graph_size)


# b. no graph IRI is dereferenced ------------------------------------------------------------

def test_no_graph_iri_is_ever_fetched(any_client, listener: Listener, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://x/a> <http://x/b> \"secret\" .\n")
    remote = f"http://127.0.0.1:{listener.port}/data.ttl"
    probes = [
        {"query": f"SELECT * FROM <{remote}> WHERE {{ ?s ?p ?o }}"},
        {"query": f"SELECT * FROM NAMED <{remote}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": remote},
        {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": secret.as_uri()},
    ]
    for params in probes:
        response = any_client.get("/sparql", query_string=params)
        assert response.status_code == 400, params
        assert error_code(response) == "unknown-graph"
    for iri in (remote, secret.as_uri()):
        query = f"SELECT * WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"
        response = any_client.get("/sparql", query_string={"query": query})
        assert response.status_code == 200
        assert json.loads(response.data)["results"]["bindings"] == []
    time.sleep(0.3)
    assert listener.connections == 0


# c. SERVICE only to the allow-list ----------------------------------------------------------

@pytest.mark.parametrize("service", [
    "SERVICE <http://127.0.0.1:{port}/sparql>",
    "SERVICE SILENT <http://127.0.0.1:{port}/sparql>",
    "SERVICE ?endpoint",
    "SERVICE ex:sparql",
])
def test_service_outside_the_allow_list_is_refused(any_client, listener: Listener, service: str) -> None:  # type: ignore[no-untyped-def]
    query = (f"PREFIX ex: <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ "
             + service.format(port=listener.port) + " { ?s ?p ?o } }")
    response = any_client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert error_code(response) == "service-refused"
    time.sleep(0.2)
    assert listener.connections == 0


def test_service_keyword_inside_strings_and_comments_is_not_a_call(client) -> None:  # type: ignore[no-untyped-def]
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://evil/> { }" AS ?x) } # SERVICE <http://evil/>'
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200


@pytest.fixture(scope="module")
def remote_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second s3graph endpoint, started by the test on 127.0.0.1, with its own small data."""
    data = tmp_path_factory.mktemp("remote-data")
    (data / "remote.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n"
        "<https://w3id.org/s3graph/id/territory/SE312> ex:note \"seen at the remote endpoint\" .\n")
    port = free_port()
    cache = tmp_path_factory.mktemp("remote-cache")
    process = subprocess.Popen(
        [sys.executable, "-m", "s3graph.cli", "serve", "--port", str(port), "--workers", "0",
         "--data-dir", str(data), "--cache-dir", str(cache)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_until_answering(url, process, 120)
        yield url
    finally:
        stop(process)


def test_federated_query_to_an_allowed_endpoint(make_app, remote_endpoint: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(federation_allowlist=(remote_endpoint,))
    query = f"""PREFIX s3: <https://w3id.org/s3graph/ontology#>
    SELECT ?code ?note WHERE {{
      ?t s3:nutsCode ?code .
      SERVICE <{remote_endpoint}> {{ ?t <http://example.org/note> ?note }}
    }}"""
    response = app.test_client().get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    rows = json.loads(response.data)["results"]["bindings"]
    assert [(r["code"]["value"], r["note"]["value"]) for r in rows] == [("SE312", "seen at the remote endpoint")]


def test_a_failed_federated_call_names_the_endpoint_not_the_reply(make_app, listener: Listener) -> None:  # type: ignore[no-untyped-def]
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    client = make_app(federation_allowlist=(endpoint,)).test_client()
    response = client.get("/sparql", query_string={
        "query": f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 502
    assert json.loads(response.data)["message"] == f"a federated (SERVICE) call to <{endpoint}> failed"
    assert listener.connections >= 1  # it was allowed, and tried



def test_a_failed_federated_canned_query_names_its_endpoint(settings, built, engine, listener: Listener,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    (tmp_path / "remote.rq").write_text(
        "# title: A federated canned query\n# description: Calls the test's endpoint, which answers nothing.\n"
        f"# federation: {endpoint}\n# inference: none\n"
        f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{endpoint}> {{ ?s ?p ?o }} }} ORDER BY ?s\n", encoding="utf-8")
    app = create_app(settings.replace(federation_allowlist=(endpoint,), queries_dir=str(tmp_path)), built=built,
                     executor=InProcess(engine))
    response = app.test_client().get("/queries/remote", query_string={"format": "json"})
    assert response.status_code == 502
    assert json.loads(response.data)["message"] == f"a federated (SERVICE) call to <{endpoint}> failed"

# d. size and nesting limits -----------------------------------------------------------------

def test_long_queries_are_refused_before_the_engine(client) -> None:  # type: ignore[no-untyped-def]
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (1 << 20)
    response = client.post("/sparql", data=huge.encode(), content_type="application/sparql-query")
    assert response.status_code == 413
    assert error_code(response) == "query-too-long"


class Spy:
    """An executor that records every job it is given (and runs none)."""

    def __init__(self) -> None:
        self.jobs: list[object] = []

    def run(self, job, timeout):  # type: ignore[no-untyped-def]
        self.jobs.append(job)
        raise AssertionError("no query should reach an engine")

    def close(self) -> None:
        """Nothing to stop."""


def test_deep_nesting_is_refused_before_any_engine(make_app) -> None:  # type: ignore[no-untyped-def]
    spy = Spy()
    client = make_app(executor=spy).test_client()
    deep = "SELECT * WHERE " + "{ " * 10000 + "?s ?p ?o" + " }" * 10000
    response = client.post("/sparql", data={"query": deep})
    assert response.status_code == 400
    assert error_code(response) == "query-too-deep"
    parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    assert client.post("/sparql", data={"query": parens}).status_code == 400
    deeper = "SELECT * WHERE " + "{" * 20000 + "?s ?p ?o" + "}" * 20000
    assert error_code(client.post("/sparql", data={"query": deeper})) == "query-too-deep"
    assert spy.jobs == []


# e. hard deadline in worker processes -------------------------------------------------------

@pytest.fixture(scope="module")
def pool(built, settings) -> Iterator[WorkerPool]:  # type: ignore[no-untyped-def]
    workers = WorkerPool(built, "oxigraph", settings.base_iri, size=2)
    yield workers
    workers.close()


def test_runaway_query_is_killed_and_others_are_served(make_app, pool: WorkerPool) -> None:  # type: ignore[no-untyped-def]
    app = make_app(executor=pool, query_timeout=2.0, workers=2)
    slow_client, fast_client = app.test_client(), app.test_client()
    outcome: dict[str, object] = {}

    def run_slow() -> None:
        started = time.perf_counter()
        response = slow_client.get("/sparql", query_string={"query": ENDLESS})
        outcome["status"], outcome["body"] = response.status_code, json.loads(response.data)
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=run_slow)
    replaced = pool.replaced
    thread.start()
    assert wait_for(lambda: pool.idle() == 1)  # the runaway query holds one worker
    fast = fast_client.get("/sparql", query_string={"query": SIMPLE})
    assert fast.status_code == 200
    assert thread.is_alive()  # answered while the runaway query still ran
    thread.join(30)
    assert outcome["status"] == 503
    assert outcome["body"]["error"] == "query-timeout"  # type: ignore[index]
    assert 2.0 <= outcome["seconds"] < 3 * 2.0  # type: ignore[operator]
    assert pool.replaced == replaced + 1
    after = fast_client.get("/sparql", query_string={"query": SIMPLE})
    assert json.loads(after.data)["results"]["bindings"][0]["code"]["value"] == "SE312"


def test_large_result_from_workers_is_truncated(make_app, pool: WorkerPool) -> None:  # type: ignore[no-untyped-def]
    app = make_app(executor=pool, max_results=1000)
    response = app.test_client().get("/sparql", query_string={
        "query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["X-S3Graph-Truncated"] == "true"
    assert response.headers["X-S3Graph-Results"] == "1000"



def test_a_replacement_worker_that_dies_while_starting_is_tried_again(
        pool: WorkerPool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # Found in CI: a replacement that died before saying "ready" raised EOFError in the respawn
    # thread. Now it counts as not started, is logged, and another one is started.
    real_start = pool._start
    calls: list[int] = []

    def dies_first() -> _Worker:
        calls.append(len(calls))
        if len(calls) > 1:
            return real_start()
        parent, child = pool._context.Pipe()
        process = pool._context.Process(target=int, daemon=True, name="s3graph-worker")  # exits at once
        process.start()
        child.close()
        return _Worker(process, parent)

    # A worker an earlier test had replaced may still be starting: wait until both are free,
    # or its arrival would be counted here (before, it could make this wait miss its mark).
    assert wait_for(lambda: pool.idle() == 2, 60)
    monkeypatch.setattr(pool, "_start", dies_first)
    pool._replace(pool._idle.get(timeout=30))
    assert wait_for(lambda: pool.idle() == 2, 60)
    assert calls == [0, 1]
    assert "a replacement query worker did not start (attempt 1 of 3)" in caplog.text

# h. rate limiting ---------------------------------------------------------------------------

def test_too_many_errors_get_429_with_retry_after(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(rate_limit_errors=3)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/sparql", query_string={"query": "SELEC"}).status_code == 400
    limited = client.get("/sparql", query_string={"query": SIMPLE})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert error_code(limited) == "rate-limited"
    other = app.test_client().get("/sparql", query_string={"query": SIMPLE},
                                  environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200


def test_too_much_query_time_gets_429(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(rate_limit_seconds=1e-9)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": SIMPLE}).status_code == 200
    assert client.get("/sparql", query_string={"query": SIMPLE}).status_code == 429


# i. RDF/XML with DOCTYPE or ENTITY is refused -------------------------------------------------

def test_rdf_xml_with_entities_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf [<!ENTITY a "aaaaaaaaaa">]>\n'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    with pytest.raises(DataError) as caught:
        parse_file(SourceFile(str(bomb), "urn:g", "data", ""))
    assert "DOCTYPE" in str(caught.value) and "bomb.rdf" in str(caught.value)
