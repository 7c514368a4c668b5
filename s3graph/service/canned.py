"""Canned queries over HTTP and the command line: one query with its parameters, and the list.

Parameters mean what they say: given once (a repeat is a 400), empty means the default (or a
400 when there is none); `infer=false` on a query that needs inference answers with a warning.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import Code, QueryError, S3GraphError
from ..formats.negotiation import choose, negotiate
from ..formats.registry import of_kind
from ..query.catalog import RESERVED, CannedQuery, with_values
from ..query.engines import DatasetSpec, select_dataset
from ..query.executors import encode_bindings
from ..terms import Term
from .editor import error_info, result_names
from .http import CACHE_CONTROL, WARNING_HEADER, Page, Reply, Request, Response, fresh, link
from .protocol import infer_flag, outcome_response

if TYPE_CHECKING:
    from .service import Service


def answer(service: Service, slug: str, request: Request) -> Reply:
    """/queries/<slug>: one canned query with parameters from the query string."""
    service.admit(request.client)
    canned = service.catalog.get(slug)
    first = request.first()
    values = {k: v for k, v in first.items() if k not in RESERVED}
    repeated = sorted({k for k in values if len(request.all(k)) > 1})
    if repeated:
        raise QueryError(f"parameter {repeated[0]} is given {len(request.all(repeated[0]))} times; give it once",
                         code=Code.BAD_PARAMETER)
    infer = infer_flag(list(request.all("infer")))  # at most once, as every parameter
    dataset = select_dataset(service.built, infer=infer)
    fmt = negotiate("bindings", request.all("format"), request.accept, html=service.profile.pages)
    shown = {p.name: values.get(p.name, p.default or "") for p in canned.parameters}
    page = {"canned": canned, "values": shown, "infer": infer, "result": None, "truncated": False,
            "error": None, "labels": {}, "editor": link("/sparql", query=canned.sparql), "formats": []}
    try:
        bound = canned.bind(values, service.resolve_region)
    except S3GraphError as error:
        if fmt != "html":
            raise
        # The form stays, filled in as it was sent, with the error beside it.
        return Page("canned.html", {**page, "error": error_info(error)}, error.status, dict(error.headers))
    bindings = encode_bindings(bound)
    warning = None if infer or not canned.needs_inference else (
        f"{slug} needs inference; with infer=false it answers from the asserted triples only, "
        "so its answer may be empty or short")
    if fmt != "html":
        answered = service.answer(request, canned.sparql, dataset, fmt, bindings)
        if warning:
            answered.headers[WARNING_HEADER] = warning
        return answered
    return _page(service, canned, request, dataset, bound, {**page, "warning": warning}, shown)


def _page(service: Service, canned: CannedQuery, request: Request, dataset: DatasetSpec,
          bound: dict[str, Term], page: dict[str, Any], shown: dict[str, str]) -> Reply:
    """The canned query's page: its form, its answer as a table, the editor link with the
    parameters bound; with an ETag (unless it calls another endpoint)."""
    slug, infer, warning = canned.slug, page["infer"], page["warning"]
    bindings = encode_bindings(bound)
    namer = service.publisher.namer(request)
    headers = {"Vary": "Accept, Accept-Language"}
    if not canned.federation:
        headers.update({"ETag": service.etag(("page", slug, dataset, bindings, namer.lang)),
                        "Cache-Control": CACHE_CONTROL})
        if fresh(request, headers["ETag"]):
            return Response(304, "", b"", headers)
    outcome = service.run(canned.sparql, dataset, "table", request.client, bindings)
    result = json.loads(outcome_response(outcome).body)
    if warning:
        headers[WARNING_HEADER] = warning
    return Page("canned.html", {
        **page, "result": result, "truncated": outcome.truncated,
        "labels": result_names(result, namer),
        "editor": link("/sparql", query=with_values(canned.sparql, bound), infer=None if infer else "false"),
        "formats": [(name, link(f"/queries/{slug}", **{**shown, "format": name}))
                    for name in of_kind("bindings")]}, headers=headers)


def listing(service: Service, request: Request) -> Reply:
    """/queries: every canned query, as a page for people or JSON for programs."""
    offered = ("application/json", "text/html") if service.profile.pages else ("application/json",)
    named = {"json": "application/json", "html": "text/html"}
    wanted = [named[v.strip().lower()] for v in request.all("format") if v.strip().lower() in named]
    chosen = wanted[0] if wanted and wanted[0] in offered else choose(offered, request.accept)
    if chosen is None:
        raise QueryError("the list of canned queries is offered as application/json and text/html only",
                         status=406, code=Code.NOT_ACCEPTABLE)
    if chosen == "text/html":
        etag = service.etag(("queries", "html"))
        if fresh(request, etag):
            return Response(304, "", b"", {"ETag": etag, "Cache-Control": CACHE_CONTROL})
        return Page("queries.html", {"queries": service.catalog.queries},
                    headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    base_url = service.settings.public_url  # never the request's Host header
    listed = {"queries": [describe_canned(q, base_url) for q in service.catalog.queries]}
    return service.cached(request, ("queries", "json"),
                          lambda: ("application/json", json.dumps(listed, ensure_ascii=False).encode()))


def describe_canned(canned: CannedQuery, base_url: str) -> dict[str, Any]:
    """A canned query as JSON: metadata, typed parameters, URL and SPARQL text."""
    return {
        "slug": canned.slug,
        "title": canned.title,
        "description": canned.description,
        "url": f"{base_url.rstrip('/')}/queries/{canned.slug}",
        "parameters": [{"name": p.name, "type": p.type, "default": p.default,
                        "allowed": list(p.allowed), "help": p.help} for p in canned.parameters],
        "inference": canned.inference,
        "federation": list(canned.federation),
        "sparql": canned.sparql,
    }
