"""Canned queries over HTTP and the command line: one query with its parameters, and the list.

Parameters mean what they say: given once (a repeat is a 400), empty means the default (or
not given, for an optional parameter; else a 400); an IRI with choices is one of them;
`infer=false` on a query that needs inference answers with a warning.

A parameter's choices are its allowed values (labelled by themselves) or the answer of its
`# choices:` query on the asserted triples; a value without a label is named as the pages
name an unlabelled IRI (a prefixed name such as `participation:adma-dalarna`, else itself).
The form offers them in a <select> when they are the only values the parameter takes, else
(a region, which is also typed by code or name) as suggestions in a <datalist>.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..errors import Code, QueryError, S3GraphError
from ..formats.negotiation import choose, negotiate
from ..formats.registry import of_kind
from ..query.catalog import RESERVED, CannedQuery, Catalog, Choices, Parameter, with_values
from ..query.engines import Bindings, DatasetSpec, Engine
from ..query.executors import encode_bindings
from ..terms import Term
from .editor import error_info, result_names
from .http import CACHE_CONTROL, WARNING_HEADER, Page, Reply, Request, Response, fresh, link
from .names import Namer
from .protocol import infer_flag, outcome_response

if TYPE_CHECKING:
    from .service import Service


def answer(service: Service, slug: str, request: Request) -> Reply:
    """/queries/<slug>: one canned query with parameters from the query string."""
    service.admit(request.client)
    canned = service.catalog.get(slug)
    if not canned.federation and not service.store_answers(slug):
        raise S3GraphError(f"the store at {service.settings.backend} does not answer {slug} as the build does (found "
                           "when the build was published to it), so it is not answered from there", status=502,
                           code=Code.BACKEND_FAILED)
    first = request.first()
    values = {k: v for k, v in first.items() if k not in RESERVED}
    repeated = sorted({k for k in (*values, "format") if len(request.all(k)) > 1})  # format too: once
    if repeated:
        raise QueryError(f"parameter {repeated[0]} is given {len(request.all(repeated[0]))} times; give it once",
                         code=Code.BAD_PARAMETER)
    infer = infer_flag(list(request.all("infer")))  # at most once, as every parameter
    dataset = service.default_dataset(infer)
    fmt = negotiate("bindings", request.all("format"), request.accept, html=service.profile.pages)
    shown = {p.name: values.get(p.name, p.default or "") for p in canned.parameters}
    choices = service.choices[slug]
    page = {"canned": canned, "values": shown, "infer": infer, "result": None, "truncated": False,
            "error": None, "labels": {}, "editor": link("/sparql", query=canned.sparql), "formats": []}
    try:
        bound = canned.bind(values, service.resolve_region, choices)
    except S3GraphError as error:
        if fmt != "html":
            raise
        # The form stays, filled in as it was sent, with the error beside it.
        return Page("canned.html", {**page, "fields": form(canned, shown, choices, error.message),
                                    "error": error_info(error)}, error.status, dict(error.headers))
    bindings = encode_bindings(bound)
    warning = None if infer or not canned.needs_inference else (
        f"{slug} needs inference; with infer=false it answers from the asserted triples only, "
        "so its answer may be empty or short")
    if fmt != "html":
        text, bindings = service.canned_query(canned, bindings)
        answered = service.answer(request, text, dataset, fmt, bindings, services=canned.federation)
        if warning:
            answered.headers[WARNING_HEADER] = warning
        return answered
    return _page(service, canned, request, dataset, bound,
                 {**page, "fields": form(canned, shown, choices), "warning": warning}, shown)


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
    text, bindings = service.canned_query(canned, bindings)
    outcome = service.run(text, dataset, "table", request.client, bindings, services=canned.federation)
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
    listed = {"queries": [describe_canned(q, base_url, service.choices[q.slug]) for q in service.catalog.queries]}
    return service.cached(request, ("queries", "json"),
                          lambda: ("application/json", json.dumps(listed, ensure_ascii=False).encode()))


def describe_canned(canned: CannedQuery, base_url: str, choices: Mapping[str, Choices]) -> dict[str, Any]:
    """A canned query as JSON: metadata, typed parameters with their choices, URL and SPARQL text."""
    return {
        "slug": canned.slug,
        "title": canned.title,
        "description": canned.description,
        "url": f"{base_url.rstrip('/')}/queries/{canned.slug}",
        "parameters": [{"name": p.name, "type": p.type, "default": p.default, "optional": p.optional,
                        "allowed": list(p.allowed),
                        "choices": [{"value": v, "label": label} for v, label in choices.get(p.name, ())],
                        "help": p.help} for p in canned.parameters],
        "inference": canned.inference,
        "federation": list(canned.federation),
        "sparql": canned.sparql,
    }


def parameter_choices(catalog: Catalog, engine: Engine, dataset: DatasetSpec,
                      namer: Namer) -> dict[str, dict[str, Choices]]:
    """{slug: {parameter: ((value, label), ...)}} for every parameter of every canned query
    (empty when it has none): its allowed values, else the answer of its `# choices:` query
    on `dataset`, each value once, in the query's order; rows without a value are skipped, and
    a missing or empty label is the value's prefixed name (`participation:adma-dalarna`), else the value."""
    found: dict[str, dict[str, Choices]] = {}
    for canned in catalog.queries:
        found[canned.slug] = {p.name: _choices_of(p, engine, dataset, namer) for p in canned.parameters}
    return found


def _choices_of(parameter: Parameter, engine: Engine, dataset: DatasetSpec, namer: Namer) -> Choices:
    if parameter.allowed:
        return tuple((a, a) for a in parameter.allowed)
    if parameter.choices_query is None:
        return ()
    result = engine.execute(parameter.choices_query, dataset)
    assert isinstance(result, Bindings)  # the catalog checked that it is a SELECT of ?value ?label
    value_at, label_at = result.variables.index("value"), result.variables.index("label")
    chosen: dict[str, str] = {}
    for row in result.rows:
        value, label = row[value_at], row[label_at]
        if isinstance(value, ox.NamedNode):
            text = value.value
            fallback = namer.prefixed(text) or text
        elif isinstance(value, ox.Literal):
            text = fallback = value.value
        else:  # unbound, a blank node or a triple: nothing a client can give back
            continue
        named = label.value.strip() if isinstance(label, ox.NamedNode | ox.Literal) else ""
        chosen.setdefault(text, named or fallback)
    return tuple(chosen.items())


@dataclass(frozen=True)
class Field:
    """One parameter as the form shows it: a <select> of its options, an <input> with a
    <datalist> of suggestions, or a plain <input>."""

    parameter: Parameter
    value: str  # as sent, else the default, else empty
    widget: str  # "select", "datalist" or "input"
    options: tuple[tuple[str, str, bool], ...]  # (value, label, selected)
    invalid: bool


def form(canned: CannedQuery, shown: Mapping[str, str], choices: Mapping[str, Choices],
         error: str | None = None) -> list[Field]:
    """The fields of the canned query's form, filled in with `shown`; a field the error names
    is marked invalid. A select always holds the value sent, so that a refused form comes back
    as it was: an optional parameter's first option is "(all)" (empty), a value that is not one
    of the choices is kept as an option of its own, and the default's label says so."""
    fields = []
    for p in canned.parameters:
        current, offered = shown[p.name], choices.get(p.name, ())
        invalid = error is not None and p.name in error
        if not offered:
            fields.append(Field(p, current, "input", (), invalid))
            continue
        if not p.restricted:
            fields.append(Field(p, current, "datalist", tuple((v, label, False) for v, label in offered), invalid))
            continue
        given = current.strip()
        options: list[tuple[str, str, bool]] = []
        if p.optional:
            options.append(("", "(all)", not given))
        elif not given:
            options.append(("", "", True))  # nothing sent and no default: nothing chosen yet
        if given and not any(_same(p, v, given) for v, _ in offered):
            options.append((current, current, True))
        options += [(v, label + (" (default)" if v == p.default else ""), _same(p, v, given))
                    for v, label in offered]
        fields.append(Field(p, current, "select", tuple(options), invalid))
    return fields


def _same(parameter: Parameter, choice: str, given: str) -> bool:
    """Whether the value sent is this choice (allowed values match without regard to case)."""
    return choice.casefold() == given.casefold() if parameter.allowed else choice == given
