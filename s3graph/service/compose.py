"""The composition root: build everything once from the settings and return the service."""

from __future__ import annotations

from ..build.pipeline import Progress, build
from ..build.store import BuiltGraph
from ..query.catalog import Catalog, load_catalog
from ..query.engines import make_engine
from ..query.executors import Executor, InProcess, make_executor
from ..remote.store import engine_for
from ..settings import Settings
from .ratelimit import Limiter, RateLimiter
from .service import PUBLIC, Parts, Profile, Service


def _quiet(_: str) -> None:
    return None


def compose(settings: Settings, *, profile: Profile = PUBLIC, built: BuiltGraph | None = None,
            catalog: Catalog | None = None, executor: Executor | None = None,
            limiter: Limiter | None = None, progress: Progress = _quiet) -> Service:
    """The service for `settings`: the graph (built or reused from the cache), the canned
    queries, the executor the profile calls for, the rate limiter and the description
    (the catalog and the executor are made on first use).

    `built`, `catalog`, `executor` and `limiter` may be given when they exist already (a
    server process brings its own executor and the limiter it charges overruns to; tests
    share one built graph and catalog).
    """
    built = built if built is not None else build(settings, progress)
    graph = built

    def make_catalog() -> Catalog:
        return catalog if catalog is not None else load_catalog(settings.queries_dir, settings.base_iri)

    def make_executor_for_profile() -> Executor:
        if executor is not None:
            return executor
        if settings.backend:
            # The store's queries have a deadline of their own (remote.store.query_timeout):
            # nothing here can overrun, so no process need ever be replaced.
            return InProcess(engine_for(settings, graph))
        if profile.isolated:
            return make_executor(graph, settings.engine, settings.base_iri, settings.workers,
                                 in_memory=settings.keeps_in_memory(graph.triples))
        return InProcess(make_engine(settings.engine, graph, settings.base_iri))

    return Service(settings, built, profile, limiter if limiter is not None else RateLimiter.from_settings(settings),
                   Parts(make_catalog, make_executor_for_profile))
