"""The Flask application: a thin adapter from HTTP to the protocol core, plus HTML pages."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, g, render_template, request, url_for
from flask import Response as FlaskResponse
from werkzeug.exceptions import HTTPException

from .build import BuiltGraph, build
from .catalog import Catalog, RegionResolver, load_catalog
from .description import describe_service, endpoint_url
from .engine import Bindings, OxigraphEngine, Triples, select_dataset
from .errors import QueryError, S3GraphError
from .fastpath import EXPOSED, SparqlWSGI, content_type_of, request_id_from
from .negotiation import negotiate, prefers_html
from .protocol import QueryService, Request, Response, error_response, outcome_response, parse_call, prepare
from .ratelimit import RateLimiter
from .regions import region_resolver
from .renderers import FORMATS, render
from .settings import Settings, load_settings, resolve_paths
from .terms import text
from .workers import Executor, make_executor

log = logging.getLogger("s3graph.web")


@dataclass
class State:
    """Everything a request needs, built once by create_app and hung off the app."""

    settings: Settings
    built: BuiltGraph
    catalog: Catalog
    service: QueryService
    description: Triples  # the service description, rendered per request in the format asked for
    default_graph_triples: int
    lookup: OxigraphEngine  # in-process, for fixed internal look-ups (regions), never user text
    resolve_region: RegionResolver  # cached look-up of regions by code or name


def state() -> State:
    """The State of the current app."""
    found: State = current_app.extensions["s3graph"]
    return found


def wants_html() -> bool:
    """True when the client prefers HTML (a browser) over the RDF and JSON formats."""
    return prefers_html(request.headers.get("Accept"))


def to_plain() -> Request:
    """The protocol's view of the current Flask request."""
    return Request(method=request.method, args=tuple(request.args.items(multi=True)),
                   content_type=request.headers.get("Content-Type", ""),
                   body=request.get_data(cache=True) if request.method == "POST" else b"",
                   accept=request.headers.get("Accept", ""), client=request.remote_addr or "unknown")


def to_flask(response: Response) -> FlaskResponse:
    """A Flask response from the protocol's."""
    out = FlaskResponse(response.body, status=response.status, content_type=content_type_of(response.media_type))
    for key, value in response.headers.items():
        out.headers[key] = value
    return out


sparql_bp = Blueprint("sparql", __name__)


@sparql_bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> FlaskResponse:
    """The SPARQL 1.1 Protocol endpoint; a bare GET answers the service description or a page."""
    st = state()
    plain = to_plain()
    st.service.admit(plain.client)
    call = parse_call(plain)
    if call.query is None:
        if request.method == "POST":
            raise QueryError("no query given", code="no-query")
        return service_description()
    prepared = prepare(st.service, call, plain.accept, html=True)
    if prepared.format == "html":
        outcome = st.service.run(prepared.checked.text, prepared.dataset, "table", plain.client)
        result = json.loads(outcome_response(outcome).body)  # raises the worker's error, if any
        page = render_template("sparql.html", query=call.query, result=result,
                               kind=prepared.checked.kind, truncated=outcome.truncated,
                               infer=call.infer, formats=_format_links(call.query, prepared.checked.kind))
        response = FlaskResponse(page, mimetype="text/html")
    else:
        outcome = st.service.run(prepared.checked.text, prepared.dataset, prepared.format, plain.client)
        response = to_flask(outcome_response(outcome))
    response.headers["Vary"] = "Accept"
    return response


def _format_links(query: str, kind: str) -> list[tuple[str, str]]:
    """(format name, URL) for the query in every format of its kind."""
    return [(name, url_for("sparql.endpoint", query=query, format=name))
            for name in FORMATS[kind]]


def service_description() -> FlaskResponse:
    """The sd:Service description by Accept, or the query page for a browser."""
    st = state()
    if wants_html() and not request.args.get("format"):
        example = ("PREFIX s3: <https://w3id.org/s3graph/ontology#>\n"
                   "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                   "SELECT ?region ?collaboration WHERE {\n"
                   "  ?region a s3:County ; s3:participatesIn ?c .\n"
                   "  ?c rdfs:label ?collaboration . FILTER(LANG(?collaboration) = \"en\")\n"
                   "} ORDER BY ?region ?collaboration")
        page = render_template("sparql.html", query=request.args.get("text", example), result=None,
                               kind=None, truncated=False, infer=True, formats=[])
        response = FlaskResponse(page, mimetype="text/html")
    else:
        name = negotiate("graph", request.args.get("format"), request.headers.get("Accept"), html=False)
        media_type, body = render(st.description, name)
        response = to_flask(Response(200, media_type, body))
    response.headers["Vary"] = "Accept"
    return response


pages_bp = Blueprint("pages", __name__)


@pages_bp.route("/")
def home() -> str:
    """The front page: what this is and where to go."""
    st = state()
    return render_template("home.html", graphs=st.built.graphs, queries=st.catalog.queries,
                           endpoint=endpoint_url(st.settings), triples=st.default_graph_triples)


@pages_bp.route("/id/<path:rest>")
@pages_bp.route("/graph/<path:rest>", endpoint="graph")
def resource(rest: str) -> FlaskResponse:
    """A resource IRI under the base, dereferenced: 303 to its description through the endpoint."""
    st = state()
    kind = "graph" if request.path.startswith("/graph/") else "id"
    iri = f"{st.settings.base_iri}{kind}/{rest}"
    if any(c in iri for c in '<>"{}|^`\\ '):
        raise QueryError("not a resource IRI", status=404, code="not-found")
    query = f"DESCRIBE <{iri}>"
    extra: dict[str, Any] = {"format": request.args["format"]} if "format" in request.args else {}
    target = url_for("sparql.endpoint", query=query, **extra)
    response = FlaskResponse(status=303)
    response.headers["Location"] = target
    response.headers["Vary"] = "Accept"
    return response


def _request_id() -> None:
    g.request_id = request_id_from(request.headers.get("X-Request-Id"))


def _finish(response: FlaskResponse) -> FlaskResponse:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["X-Request-Id"] = getattr(g, "request_id", "")
    response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


def render_error(error: S3GraphError) -> FlaskResponse:
    """One rendering of every error: JSON, or an HTML page for a browser."""
    request_id = getattr(g, "request_id", "")
    if error.counts_against_client and "s3graph" in current_app.extensions:
        state().service.record_error(request.remote_addr or "unknown")
    if wants_html():
        page = render_template("error.html", error=error, request_id=request_id)
        response = FlaskResponse(page, status=error.status, mimetype="text/html")
        for key, value in error.headers.items():
            response.headers[key] = value
    else:
        response = to_flask(error_response(error, request_id))
    response.headers["Vary"] = "Accept"  # an error is a page or JSON, by Accept
    return response


def _handle_expected(error: S3GraphError) -> FlaskResponse:
    return render_error(error)


def _handle_http(error: HTTPException) -> FlaskResponse:
    status = error.code or 500
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("request %s failed", getattr(g, "request_id", ""), exc_info=original)
        message = "internal error; quote the request id when reporting it"
    else:
        message = error.description or error.name
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    code = (error.name or "error").lower().replace(" ", "-")
    return render_error(S3GraphError(message, status=status, code=code, headers=headers))


def create_app(settings: Settings | None = None, *, built: BuiltGraph | None = None,
               executor: Executor | None = None) -> Flask:
    """Build the graph (or reuse the cache), start the query workers and return the app."""
    settings = resolve_paths(settings if settings is not None else load_settings())
    built = built if built is not None else build(settings)
    catalog = load_catalog(settings.queries_dir)
    executor = executor if executor is not None else make_executor(
        built, settings.engine, settings.base_iri, settings.workers)
    limiter = RateLimiter(settings.rate_limit_seconds, settings.rate_limit_errors,
                          settings.rate_limit_window)
    service = QueryService(settings, built, executor, limiter)
    lookup = OxigraphEngine(built, settings.base_iri)
    total = _count_default_graph(lookup, built)
    description = Triples(tuple(describe_service(settings, built, catalog, total)))

    app = Flask(__name__)
    app.config["JSON_SORT_KEYS"] = False
    app.extensions["s3graph"] = State(settings, built, catalog, service, description, total, lookup,
                                         region_resolver(lookup.store))
    app.register_blueprint(pages_bp)
    app.register_blueprint(sparql_bp)
    from .canned_views import queries_bp  # the canned-query pages

    app.register_blueprint(queries_bp)
    app.before_request(_request_id)
    app.after_request(_finish)
    app.register_error_handler(S3GraphError, _handle_expected)
    app.register_error_handler(HTTPException, _handle_http)
    # Data requests to /sparql and /queries/<slug> are answered before Flask (the same core,
    # less overhead).
    app.wsgi_app = SparqlWSGI(app.wsgi_app, service, max_body(settings), catalog,  # type: ignore[method-assign]
                              app.extensions["s3graph"].resolve_region)
    return app


def max_body(settings: Settings) -> int:
    """The largest request body read: room for a form-encoded query of the maximum length."""
    return 4 * settings.max_query_length + (1 << 20)


def _count_default_graph(engine: OxigraphEngine, built: BuiltGraph) -> int:
    """Distinct triples in the default graph (asserted plus inferred)."""
    result = engine.execute("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", select_dataset(built))
    assert isinstance(result, Bindings)
    return int(text(result.rows[0][0]))

