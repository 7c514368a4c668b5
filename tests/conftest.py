"""Shared fixtures: the graph is built once per session (into a private cache), the app per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from s3graph.build.pipeline import build
from s3graph.build.store import BuiltGraph
from s3graph.query.engines import DatasetSpec, Engine, OxigraphEngine, RdflibEngine, select_dataset
from s3graph.settings import Settings

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


@pytest.fixture()
def app(settings: Settings, built: BuiltGraph, engine: Engine):  # type: ignore[no-untyped-def]
    """An app per test; queries run in-process on the session's engine (no worker start-up)."""
    from s3graph.query.executors import InProcess
    from s3graph.web import create_app

    return create_app(settings, built=built, executor=InProcess(engine))


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    """A test client for the app."""
    return app.test_client()
