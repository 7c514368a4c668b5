"""The service: answers plain requests (SPARQL protocol, canned queries, lists, resources, dumps).

Every front end calls these methods and nothing else: the WSGI data front and the Flask
pages (`s3graph.web`), and the command line. A method returns a `Response` (data, ready
to send) or a `Page` (what an HTML page shows, rendered by the web layer); expected
failures raise `S3GraphError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, cast

from .. import __version__
from ..build.store import BuiltGraph
from ..errors import Code, QueryError, S3GraphError
from ..formats.negotiation import negotiate, prefers_html
from ..formats.registry import of_kind, render
from ..query.catalog import CannedQuery, Catalog, Choices, RegionResolver
from ..query.engines import Bindings, DatasetSpec, OxigraphEngine, Triples, select_dataset
from ..query.executors import Executor, Job, Outcome
from ..query.guard import CheckedQuery, check
from ..query.portable import PLANNED, store_query
from ..query.regions import region_resolver
from ..remote.store import backend_client, engine_for, query_timeout, read_manifest
from ..settings import Settings
from ..terms import text
from . import canned
from .cache import ResultCache
from .description import describe_service, endpoint_url
from .editor import EXAMPLE_QUERY, error_info, examples, prefixes, result_names
from .exporting import export
from .http import CACHE_CONTROL, Page, Reply, Request, Response, entity_tag, fresh, link
from .names import Namer
from .protocol import Call, outcome_response, parse_call
from .publishing import Publisher
from .ratelimit import Limiter
from .stats import stats_text

#: The guard's verdicts on this many query texts of at most REMEMBERED_TEXT characters are
#: remembered: at most a few MB, and a repeated query skips the guard's reading (about 20 µs
#: for a point lookup, a millisecond for a 5 KB query).
REMEMBERED_QUERIES = 1024
REMEMBERED_TEXT = 4096


@dataclass(frozen=True)
class Profile:
    """Who the service answers: anonymous clients (limits, rate limits, pages) or a trusted user."""

    name: str
    max_query_length: int | None  # None: the setting
    max_nesting_depth: int | None  # None: the setting
    rate_limited: bool
    pages: bool  # HTML pages are offered (negotiation may choose text/html)
    isolated: bool  # queries run under a deadline that costs a process (worker processes)


#: Anonymous clients over HTTP: every limit of the settings.
PUBLIC = Profile("public", None, None, rate_limited=True, pages=True, isolated=True)
#: The command line: the same checks (read-only, SERVICE allow-list, stored graphs only),
#: without the size limits and rate limits meant for anonymous clients.
TRUSTED = Profile("trusted", 1 << 30, 4096, rate_limited=False, pages=False, isolated=False)


@dataclass(frozen=True)
class Parts:
    """How the service makes the parts it makes on first use."""

    catalog: Callable[[], Catalog]
    executor: Callable[[], Executor]


class Service:
    """Everything built once (graph, catalog, executor, limiter, description) and the requests it answers.

    The parts a request may not need are made on first use (and then kept): `s3graph
    export` reads no canned query and starts no engine.
    """

    def __init__(self, settings: Settings, built: BuiltGraph, profile: Profile, limiter: Limiter,
                 parts: Parts) -> None:
        self.settings = settings
        self.built = built
        self.profile = profile
        self.limiter = limiter
        self.parts = parts

    @cached_property
    def catalog(self) -> Catalog:
        """The canned queries."""
        return self.parts.catalog()

    @cached_property
    def executor(self) -> Executor:
        """What runs the queries (under the profile's deadline)."""
        return self.parts.executor()

    @cached_property
    def lookup(self) -> OxigraphEngine:
        """An in-process engine for fixed internal look-ups, never a client's text (with a
        backend store, the engine that asks it: the same `execute` and `store`)."""
        if self.settings.backend:
            return cast(OxigraphEngine, engine_for(self.settings, self.built))
        return OxigraphEngine(self.built, self.settings.base_iri)

    @cached_property
    def build_lookup(self) -> OxigraphEngine:
        """An in-process engine over the build itself, for the look-ups the build answers as well
        as any store (it is what the store holds, its manifest says): the parameters' choices and
        the regions by name. With a backend store they are not sent there (Virtuoso 7 cannot
        compile some of them)."""
        if self.settings.backend:
            return OxigraphEngine(self.built, self.settings.base_iri)
        return self.lookup

    def store_answers(self, slug: str) -> bool:
        """Whether canned query `slug` is answered where queries run: always by the embedded
        store; by a backend store only if its manifest says it answers it as the build does."""
        return not self.settings.backend or slug in self._store_answers

    @cached_property
    def _store_answers(self) -> dict[str, str]:
        manifest = read_manifest(backend_client(self.settings), query_timeout(self.settings))
        return manifest.answers if manifest is not None and manifest.key == self.built.key else {}

    def canned_query(self, canned: CannedQuery, bindings: tuple[tuple[str, str], ...]
                     ) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The text of a canned query to run where queries run, and the (encoded) bindings left
        to the engine: as written for the embedded store; for a backend store, in the form its
        manifest says it answers the query in (`query.portable`). A federated query goes as
        written: the store calls the other endpoint."""
        if not self.settings.backend or canned.federation:
            return canned.sparql, bindings
        text, left = store_query(canned.sparql, dict(bindings), self._store_answers.get(canned.slug, PLANNED))
        return text, tuple(sorted((k, str(v)) for k, v in left.items()))

    @cached_property
    def resolve_region(self) -> RegionResolver:
        """Regions by NUTS code, ISO code or name (cached)."""
        return region_resolver(self.build_lookup.store)

    @cached_property
    def choices(self) -> dict[str, dict[str, Choices]]:
        """{slug: {parameter: ((value, label), ...)}}: the choices of every canned-query parameter
        (its allowed values, or its `# choices:` query run once on the asserted triples)."""
        namer = Namer(self.build_lookup.store, self.settings.base_iri, "en")
        return canned.parameter_choices(self.catalog, self.build_lookup, select_dataset(self.built, infer=False), namer)

    @cached_property
    def default_graph_triples(self) -> int:
        """Distinct triples in the default graph (asserted plus inferred)."""
        result = self.lookup.execute("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", select_dataset(self.built))
        assert isinstance(result, Bindings)
        return int(text(result.rows[0][0]))

    @cached_property
    def description(self) -> Triples:
        """The service description, rendered per request in the format asked for."""
        return Triples(tuple(describe_service(self.settings, self.built, self.catalog, self.default_graph_triples)))

    # --- limits -------------------------------------------------------------------------

    def admit(self, client: str) -> None:
        """Refuse (429) a client that has used up its query time or errors."""
        if self.profile.rate_limited:
            self.limiter.check(client)

    def admits(self, client: str) -> bool:
        """Whether a client is within its allowance (`admit` would not refuse it)."""
        try:
            self.admit(client)
        except S3GraphError:
            return False
        return True

    def record_error(self, client: str) -> None:
        """Count a failed request (bad query, bad parameters, timeout) against the client."""
        if self.profile.rate_limited:
            self.limiter.record(client, 0.0, True)

    def guard(self, text: str) -> CheckedQuery:
        """Check a query before any engine sees it (the profile's size and depth limits); the
        verdict on a short text that passed is remembered (a query sent again is not read again)."""
        if len(text) <= REMEMBERED_TEXT:
            return self._checked(text)
        return self._check(text)

    def _check(self, text: str) -> CheckedQuery:
        settings, profile = self.settings, self.profile
        return check(text, max_length=profile.max_query_length or settings.max_query_length,
                     max_depth=profile.max_nesting_depth or settings.max_nesting_depth,
                     allowlist=settings.federation_allowlist, base=settings.base_iri,
                     own_endpoint=endpoint_url(settings))

    @cached_property
    def _checked(self) -> Callable[[str], CheckedQuery]:
        """The guard, remembering its verdicts (a pure function of the text and the settings;
        a refusal raises and is not remembered)."""
        return lru_cache(maxsize=REMEMBERED_QUERIES)(self._check)

    def run(self, query: str, dataset: DatasetSpec, fmt: str, client: str,
            bindings: tuple[tuple[str, str], ...] = (), services: tuple[str, ...] = ()) -> Outcome:
        """Run a checked query under the deadline, counting its time against the client."""
        settings = self.settings
        job = Job(query, dataset, bindings, fmt, settings.max_results, client, settings.max_response_bytes,
                  services)
        try:
            outcome: Outcome = self.executor.run(job, settings.query_timeout)
        except S3GraphError as exc:
            if exc.code == Code.QUERY_TIMEOUT and not exc.charged and self.profile.rate_limited:
                self.limiter.record(client, settings.query_timeout, False)
            raise
        if self.profile.rate_limited:
            self.limiter.record(client, outcome.seconds, False)
        return outcome

    def answer(self, request: Request, query: str, dataset: DatasetSpec, fmt: str,
               bindings: tuple[tuple[str, str], ...] = (), services: tuple[str, ...] = ()) -> Response:
        """The response to a checked query, with an ETag: 304 when the client has it already,
        from the result cache when the same query was answered before (never a federated one:
        the other endpoints' data may change), else run under the deadline."""
        key = (query, dataset, fmt, bindings)
        if services:  # another endpoint's answer may change: never kept, never revalidated
            response = outcome_response(self.run(query, dataset, fmt, request.client, bindings, services))
            response.headers["Cache-Control"] = "no-cache"
            return response
        kept = self.results.get(key)
        etag = kept.etag if kept is not None else self.etag(key)
        if fresh(request, etag):
            if request.method not in ("GET", "HEAD"):  # RFC 9110 §13.1.2: 304 is for GET and HEAD only
                raise S3GraphError("the precondition failed: If-None-Match names this answer", status=412,
                                   code=Code.PRECONDITION_FAILED)
            return Response(304, "", b"", {"ETag": etag, "Cache-Control": CACHE_CONTROL})
        if kept is not None:
            outcome = kept.outcome
        else:
            outcome = self.run(query, dataset, fmt, request.client, bindings, services)
            self.results.put(key, outcome, etag)
        response = outcome_response(outcome)
        response.headers.update({"ETag": etag, "Cache-Control": CACHE_CONTROL})
        return response

    def etag(self, key: object) -> str:
        """An entity tag for an answer: the build's key and what was asked."""
        return entity_tag(self.built.key, __version__, repr(key))

    @cached_property
    def results(self) -> ResultCache:
        """The answers kept in memory (the dataset is immutable while it is served)."""
        return ResultCache(self.settings.result_cache_mb << 20)

    # --- the SPARQL protocol ------------------------------------------------------------

    def sparql(self, request: Request) -> Reply:
        """/sparql: a query by GET or POST in the negotiated format; without one, the description."""
        self.admit(request.client)
        call = parse_call(request)
        if call.query is None:
            if request.method == "POST":
                raise QueryError("no query given", code=Code.NO_QUERY)
            return self._describe(call, request)
        if self.profile.pages and _wants_page(call.format, request.accept):
            return self._editor(call, request)
        checked = self.guard(call.query)
        fmt = negotiate(checked.kind, call.format, request.accept, html=self.profile.pages)
        return self.answer(request, checked.text, self._dataset(call, checked), fmt, services=checked.services)

    def _editor(self, call: Call, request: Request) -> Reply:
        """The query page with the query's answer as a table, or its error beside the query;
        with an ETag (304 when the client has it), unless it calls another endpoint."""
        assert call.query is not None
        context = self._editor_frame(call.query, call.infer, request)
        namer = self.publisher.namer(request)
        headers = {"Vary": "Accept, Accept-Language"}
        try:
            checked = self.guard(call.query)
            dataset = self._dataset(call, checked)
            if not checked.services:
                headers.update({"ETag": self.etag(("page", checked.text, dataset, namer.lang)),
                                "Cache-Control": CACHE_CONTROL})
                if fresh(request, headers["ETag"]):
                    return Response(304, "", b"", headers)
            outcome = self.run(checked.text, dataset, "table", request.client, services=checked.services)
            result = json.loads(outcome_response(outcome).body)
        except S3GraphError as error:
            if error.status == 429:
                raise  # the rate limit is not the query's fault: the plain error page
            if error.counts_against_client:
                self.record_error(request.client)
            return Page("sparql.html", {**context, "error": error_info(error)}, error.status, dict(error.headers))
        infer = None if call.infer else "false"
        return Page("sparql.html", {
            **context, "result": result, "kind": checked.kind, "truncated": outcome.truncated,
            "labels": result_names(result, namer),
            "formats": [(name, link("/sparql", query=call.query, infer=infer, format=name))
                        for name in of_kind(checked.kind)]}, headers=headers)

    def _editor_frame(self, query: str, infer: bool, request: Request) -> dict[str, Any]:
        """What every query page shows, answer or not."""
        return {"query": query, "result": None, "kind": None, "truncated": False, "infer": infer, "formats": [],
                "error": None, "labels": {}, "endpoint": endpoint_url(self.settings),
                "examples": examples(self.catalog.queries, self.resolve_region),
                "prefixes": prefixes(self.settings.base_iri)}

    def _dataset(self, call: Call, checked: CheckedQuery) -> DatasetSpec:
        """The protocol's dataset parameters override the query's FROM clauses."""
        if call.default_graphs or call.named_graphs:
            return select_dataset(self.built, infer=call.infer, default_graph_uris=call.default_graphs,
                                  named_graph_uris=call.named_graphs)
        if checked.from_graphs or checked.from_named_graphs:
            return select_dataset(self.built, infer=call.infer, default_graph_uris=checked.from_graphs,
                                  named_graph_uris=checked.from_named_graphs)
        return self.default_dataset(call.infer)

    def default_dataset(self, infer: bool) -> DatasetSpec:
        """The dataset of a query that names none (made once for each value of `infer`)."""
        return self._default_datasets[infer]

    @cached_property
    def _default_datasets(self) -> dict[bool, DatasetSpec]:
        return {infer: select_dataset(self.built, infer=infer) for infer in (True, False)}

    def _describe(self, call: Call, request: Request) -> Reply:
        """The sd:Service description by Accept, or the query page for a browser."""
        if self.profile.pages and prefers_html(request.accept) and not call.format:
            return Page("sparql.html", self._editor_frame(EXAMPLE_QUERY, True, request))
        name = negotiate("graph", call.format, request.accept, html=False)
        return self.cached(request, ("description", name), lambda: render(self.description, name))

    # --- canned queries -----------------------------------------------------------------

    def canned(self, slug: str, request: Request) -> Reply:
        """/queries/<slug>: one canned query with parameters from the query string."""
        return canned.answer(self, slug, request)

    def queries(self, request: Request) -> Reply:
        """/queries: every canned query, as a page for people or JSON for programs."""
        return canned.listing(self, request)

    def cached(self, request: Request, key: object, make: Callable[[], tuple[str, bytes]]) -> Response:
        """A fixed answer of this build (a description, a list) with its ETag: 304 when the client has it."""
        etag = self.etag(key)
        if fresh(request, etag):
            return Response(304, "", b"", {"ETag": etag, "Cache-Control": CACHE_CONTROL})
        media_type, body = make()
        return Response(200, media_type, body, {"ETag": etag, "Cache-Control": CACHE_CONTROL})

    # --- pages, resources, the dataset --------------------------------------------------

    @cached_property
    def publisher(self) -> Publisher:
        """The linked-data routes: resources, the ontology, dumps, the dataset description."""
        return Publisher(self.settings, self.built, self.lookup.store if self.settings.backend else None)

    def home(self, request: Request) -> Reply:
        """The front page: what this is, its figures, where to go, a picture of the graph."""
        return self.publisher.home(request, {"graphs": self.built.graphs, "queries": self.catalog.queries,
                                             "endpoint": endpoint_url(self.settings)})

    def resource(self, path: str, request: Request) -> Reply:
        """/id/... and /graph/...: a resource IRI under the base, its page or its RDF."""
        return self.publisher.resource(path, request)

    def ontology(self, term: str | None, request: Request) -> Reply:
        """/ontology and /ontology/<term>."""
        return self.publisher.ontology_document(term, request)

    def dumps(self, request: Request) -> Reply:
        """/dumps: the list of dumps."""
        return self.publisher.dumps_page(request)

    def dump(self, filename: str, request: Request) -> Reply:
        """/dumps/<file>: one dump."""
        return self.publisher.dump(filename, request)

    def dataset(self, request: Request) -> Reply:
        """/.well-known/void: the dataset description (DCAT-AP and VoID)."""
        return self.publisher.dataset(request)

    def classes(self, request: Request) -> Reply:
        """/classes: browse by class."""
        return self.publisher.classes(request)

    def export(self, fmt: str, graphs: str = "all") -> bytes:
        """The dataset (all, asserted or inferred graphs) in an RDF format."""
        return export(self.built, fmt, graphs)

    def stats(self, seconds: float) -> str:
        """The report of `s3graph stats`."""
        return stats_text(self.built, self.lookup, seconds)

    def close(self) -> None:
        """Stop what the service started (query worker processes)."""
        if "executor" in self.__dict__:
            self.executor.close()


def _wants_page(formats: str | tuple[str, ...] | None, accept: str) -> bool:
    """True when the request asks for the HTML page (by format= or a browser's Accept)."""
    named = (formats,) if isinstance(formats, str) else formats or ()
    if "html" not in accept.lower() and not any("html" in f.lower() for f in named):
        return False  # the hot path of programs: no page can be meant, no negotiation to run
    try:  # a format= naming a data format of either kind is data, whatever the Accept header
        return all(negotiate(kind, formats, accept, html=True) == "html" for kind in ("bindings", "graph"))
    except S3GraphError:
        return False
