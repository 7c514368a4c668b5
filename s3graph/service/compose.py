"""The composition root: build everything once from the settings and return the service."""

from __future__ import annotations

from ..build.pipeline import Progress, build
from ..build.store import BuiltGraph
from ..query.catalog import Catalog, load_catalog
from ..query.engines import Bindings, OxigraphEngine, Triples, make_engine, select_dataset
from ..query.executors import Executor, InProcess, make_executor
from ..query.regions import region_resolver
from ..settings import Settings
from ..terms import text
from .description import describe_service
from .ratelimit import RateLimiter
from .service import PUBLIC, Profile, Service


def _quiet(_: str) -> None:
    return None


def compose(settings: Settings, *, profile: Profile = PUBLIC, built: BuiltGraph | None = None,
            catalog: Catalog | None = None, executor: Executor | None = None,
            limiter: RateLimiter | None = None, progress: Progress = _quiet) -> Service:
    """The service for `settings`: the graph (built or reused from the cache), the canned
    queries, the executor the profile calls for, the rate limiter and the description.

    `built`, `catalog`, `executor` and `limiter` may be given when they exist already (a
    server process brings its own executor and the limiter it charges overruns to; tests
    share one built graph and catalog).
    """
    built = built if built is not None else build(settings, progress)
    catalog = catalog if catalog is not None else load_catalog(settings.queries_dir)
    if executor is None:
        if profile.isolated:
            executor = make_executor(built, settings.engine, settings.base_iri, settings.workers)
        else:
            executor = InProcess(make_engine(settings.engine, built, settings.base_iri))
    limiter = limiter if limiter is not None else RateLimiter.from_settings(settings)
    lookup = OxigraphEngine(built, settings.base_iri)
    total = _count_default_graph(lookup, built)
    description = Triples(tuple(describe_service(settings, built, catalog, total)))
    return Service(settings, built, catalog, executor, limiter, profile, lookup, region_resolver(lookup.store),
                   description, total)


def _count_default_graph(engine: OxigraphEngine, built: BuiltGraph) -> int:
    """Distinct triples in the default graph (asserted plus inferred)."""
    result = engine.execute("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", select_dataset(built))
    assert isinstance(result, Bindings)
    return int(text(result.rows[0][0]))
