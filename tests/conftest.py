"""Shared fixtures: the immutable parts (built graph, catalog, engines) once per session, the app
(and so its rate limiter) fresh per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from s3graph.build.pipeline import build
from s3graph.build.store import BuiltGraph
from s3graph.query.catalog import Catalog, load_catalog
from s3graph.query.engines import DatasetSpec, Engine, OxigraphEngine, RdflibEngine, select_dataset
from s3graph.query.executors import Executor, InProcess
from s3graph.settings import Settings
from s3graph.web import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder private to this test session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> Settings:
    """Settings for the bundled data, with the session's cache."""
    return Settings(cache_dir=str(cache_dir))


@pytest.fixture(scope="session")
def built(settings: Settings) -> BuiltGraph:
    """The bundled graph, built once per session."""
    return build(settings)


@pytest.fixture(scope="session")
def engine(built: BuiltGraph, settings: Settings) -> Engine:
    """The Oxigraph engine over the built graph."""
    return OxigraphEngine(built, settings.base_iri)


@pytest.fixture(scope="session")
def rdflib_engine(built: BuiltGraph, settings: Settings) -> Engine:
    """rdflib's engine over the built graph (for cross-checks)."""
    return RdflibEngine(built, settings.base_iri)


@pytest.fixture(scope="session")
def inferred(built: BuiltGraph) -> DatasetSpec:
    """The default dataset: asserted plus inferred triples."""
    return select_dataset(built, infer=True)


@pytest.fixture(scope="session")
def asserted(built: BuiltGraph) -> DatasetSpec:
    """The asserted triples only."""
    return select_dataset(built, infer=False)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the bundled data folder, for tests that break a file."""
    target = tmp_path / "data"
    target.mkdir()
    for path in (ROOT / "data").glob("*.ttl"):
        (target / path.name).write_bytes(path.read_bytes())
    yield target


@pytest.fixture(scope="session")
def catalog(settings: Settings) -> Catalog:
    """The bundled canned queries, read once."""
    return load_catalog(settings.queries_dir)


@pytest.fixture(scope="session")
def default_graph_size(built: BuiltGraph) -> int:
    """Distinct triples over every named graph, counted from the build's N-Quads dump (not by SPARQL)."""
    named = {ox.NamedNode(iri) for iri in built.graph_iris()}
    return len({q.triple for q in ox.parse(path=built.nquads_path, format=ox.RdfFormat.N_QUADS)
                if q.graph_name in named})


MakeApp = Callable[..., Flask]


@pytest.fixture()
def make_app(settings: Settings, built: BuiltGraph, catalog: Catalog, engine: Engine) -> MakeApp:
    """An app factory: settings changed as given, queries in-process on the session's engine
    (or on `executor=`), the session's graph and catalog; a fresh service and limiter each time."""

    def make(executor: Executor | None = None, **changes: Any) -> Flask:
        chosen = settings.replace(**changes) if changes else settings
        return create_app(chosen, built=built, catalog=catalog,
                          executor=executor if executor is not None else InProcess(engine))

    return make


@pytest.fixture()
def app(make_app: MakeApp) -> Flask:
    """An app per test; queries run in-process on the session's engine (no worker start-up)."""
    return make_app()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture(scope="session", autouse=True)
def rdflib_reader() -> None:
    """Start the rdflib reader thread first: it raises the interpreter's recursion limit once,
    which hypothesis would otherwise see change under a test."""
    from s3graph.query.second_reading import parse_with_rdflib

    parse_with_rdflib("ASK {}")


@pytest.fixture(scope="session")
def live_url(settings: Settings, built: BuiltGraph, catalog: Catalog, engine: Engine) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1 (s3graph's server in a thread), for real
    clients: rdflib's parser, SPARQLWrapper, the browser. Queries run in-process on the session's engine."""
    import socket
    import threading

    from s3graph.server.wsgi import Limits, Server
    from s3graph.service.http import max_body

    listening = socket.create_server(("127.0.0.1", 0))
    server = Server(create_app(settings, built=built, catalog=catalog, executor=InProcess(engine)), listening,
                    Limits.from_settings(settings, max_body(settings)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.close()
    thread.join(5)
