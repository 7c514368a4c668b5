"""Linked-data publishing: every IRI under the base resolves, for people and for programs.

`/id/...` (resources), `/graph/...` (named graphs), `/ontology` and its terms answer 200 at
the IRI itself, negotiated (HTML for browsers; Turtle, JSON-LD, N-Triples, RDF/XML, TriG,
N-Quads by Accept or `format=`), with `Link` headers to every alternate and the licence,
`Content-Location` naming the representation sent, and an ETag from the build. No 303:
one round trip, and the page and the data share one IRI (see the README). An IRI the
dataset does not use is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from functools import cached_property

import pyoxigraph as ox

from .. import __version__
from ..build.store import BuiltGraph
from ..errors import Code, S3GraphError
from ..formats.negotiation import negotiate
from ..formats.rdf import serialize
from ..formats.registry import of_kind, render
from ..results import Triples
from ..settings import Settings
from .dataset import LICENCE_NAME, LICENCE_URL, VOID_PATH, dataset_iri, describe_dataset
from .dumps import dump_file, dumps, find, selections
from .http import CACHE_CONTROL, Page, Reply, Request, Response, entity_tag, fresh, link
from .names import LANGUAGES, Namer, language
from .ontology import Ontology
from .overview import Overview
from .protocol import infer_flag
from .resources import RDF_TYPE, Resources, named

#: The instances a class's page lists at a time (then "next").
CLASS_PAGE = 500
#: The most statements a graph's page lists (the rest are in its dumps).
GRAPH_PAGE_ROWS = 500
BAD_IRI = set('<>"{}|^`\\ ')


def _page_number(text: str | None) -> int:
    """`page=` as a number from 1; anything else is a 404 that says so."""
    if text is None:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise S3GraphError(f"page {text!r} is not a page number (1, 2, ...)", status=404, code=Code.NOT_FOUND)
    return int(text)


def not_modified_since(header: str, modified: str) -> bool:
    """True when If-Modified-Since is a date at or after the last modification (RFC 9110
    §13.1.3; an unreadable date is ignored)."""
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False  # not an HTTP date (which is always GMT)
    return parsedate_to_datetime(modified) <= since


class Publisher:
    """Answers the publishing routes from the built store."""

    def __init__(self, settings: Settings, built: BuiltGraph, store: ox.Store | None = None) -> None:
        self.settings = settings
        self.built = built
        self._store = store

    @cached_property
    def store(self) -> ox.Store:
        """The read-only store (opened on first use), or the backend store given."""
        return self._store if self._store is not None else self.built.open_store()

    @cached_property
    def resources(self) -> Resources:
        """Resources read from the store."""
        return Resources(self.built, self.store)

    @cached_property
    def ontology(self) -> Ontology:
        """The ontology's terms."""
        return Ontology(self.built, self.store, self.settings.base_iri)

    @cached_property
    def overview(self) -> Overview:
        """The figures and the picture of the landing page."""
        return Overview(self.settings.base_iri, self.store, self.resources, self.built.figures)

    def namer(self, request: Request) -> Namer:
        """The namer of a page in the language the request asks for."""
        lang = language(request.first().get("lang"), request.accept_language)
        return Namer(self.store, self.settings.base_iri, lang)

    # --- caching ------------------------------------------------------------------------

    def etag(self, request: Request, *parts: str) -> str:
        """An entity tag from the build, this package's version and what was asked (not the
        parameters that only pick the representation or the label language: `parts` say those)."""
        asked = sorted((k, v) for k, v in request.args if k not in ("format", "lang"))
        return entity_tag(self.built.key, __version__, *parts, repr(asked))

    def conditional(self, request: Request, etag: str, make: Callable[[], Reply],
                    headers: dict[str, str] | None = None) -> Reply:
        """304 when the client holds `etag` already; else `make()`, with the caching headers."""
        common = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
        if fresh(request, etag):
            return Response(304, "", b"", common)
        reply = make()
        reply.headers.update(common)
        return reply

    # --- resources, graphs, the ontology ------------------------------------------------

    def resource(self, path: str, request: Request) -> Reply:
        """/id/... and /graph/...: the resource's page or its description as RDF."""
        iri = self.settings.base_iri + path
        if BAD_IRI & set(iri) or named(iri) is None or not self.resources.exists(iri):
            raise S3GraphError(f"no resource {iri} in this dataset", status=404, code=Code.NOT_FOUND)
        is_graph = path.startswith("graph/") and iri in self.built.graph_iris()
        infer = infer_flag(list(request.all("infer")))

        def data() -> list[ox.Triple]:
            return self.resources.graph_triples(iri) if is_graph else self.resources.triples(iri, infer)

        def page(namer: Namer) -> Page:
            view = self.resources.view(iri, namer)
            context: dict[str, object] = {"view": view, "graph": None}
            if is_graph:
                triples = sorted(self.resources.graph_triples(iri), key=str)
                held = {ox.NamedNode(iri)}
                rows = [[self.resources.value(term, held, namer) for term in (t.subject, t.predicate, t.object)]
                        for t in triples[:GRAPH_PAGE_ROWS]]
                context["graph"] = {"count": len(triples), "rows": rows,
                                    "dumps": [d for d in dumps(self.built) if d.selection.graphs == iri]}
            return Page("resource.html", context)

        return self.negotiated("/" + path, request, data, page, graph=iri if is_graph else None,
                               keep={} if infer else {"infer": "false"})

    def ontology_document(self, term: str | None, request: Request) -> Reply:
        """/ontology (and its version IRI): the overview or the ontology as RDF; /ontology/<term>:
        the term's page or its statements."""
        if term is None:
            def overview(namer: Namer) -> Page:
                return Page("ontology.html", {"overview": self.ontology.overview(namer)})
            return self.negotiated("/ontology", request, self.ontology.triples, overview)
        iri = self.ontology.namespace + term
        if BAD_IRI & set(term) or named(iri) is None or self.ontology.kind(iri) is None:
            raise S3GraphError(f"the ontology defines no term {iri}", status=404, code=Code.NOT_FOUND)

        def page(namer: Namer) -> Page:
            return Page("term.html", {"term": self.ontology.term(iri, namer)})
        return self.negotiated(f"/ontology/{term}", request, lambda: self.ontology.term_triples(iri), page)

    def negotiated(self, path: str, request: Request, data: Callable[[], list[ox.Triple]],
                   page: Callable[[Namer], Page], graph: str | None = None,
                   keep: dict[str, str] | None = None) -> Reply:
        """One IRI, every representation: negotiated, linked to its alternates, cacheable.

        `keep` holds the parameters that change the content (`infer=false`): the alternates
        and Content-Location keep them, so that each names exactly what it serves. A page's
        Content-Location also names its label language. `graph`: the statements are that named
        graph's, and the dataset formats (TriG, N-Quads) say so.
        """
        fmt = negotiate("graph", request.all("format"), request.accept, html=True)
        namer = self.namer(request)
        kept = keep or {}
        alternates = [f'<{link(path, **kept, format=f.name)}>; rel="alternate"; type="{f.media_type}"'
                      for f in of_kind("graph", pages=True).values()]
        where = link(path, **kept, format=fmt, lang=namer.lang if fmt == "html" else None)
        headers = {"Link": ", ".join([*alternates, f'<{LICENCE_URL}>; rel="license"']),
                   "Content-Location": where, "Vary": "Accept, Accept-Language"}
        # the label language makes another page, never other RDF
        etag = self.etag(request, path, fmt, namer.lang if fmt == "html" else "",
                         *([] if fmt == "html" else [repr(sorted(kept.items()))]))
        if fmt == "html":
            def make() -> Reply:
                made = page(namer)
                made.context.update(self._frame(path, namer))
                return made
            return self.conditional(request, etag, make, headers)

        def rdf() -> Reply:
            chosen = of_kind("graph")[fmt]
            if graph is not None and chosen.rdf_format is not None and chosen.rdf_format.supports_datasets:
                name = ox.NamedNode(graph)
                quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in data()]
                return Response(200, chosen.media_type, serialize(quads, chosen.rdf_format))
            media_type, body = render(Triples(tuple(data())), fmt)
            return Response(200, media_type, body)
        return self.conditional(request, etag, rdf, headers)

    def _frame(self, path: str, namer: Namer) -> dict[str, object]:
        """What every publishing page shows around its content: formats, languages, licence."""
        return {"alternates": [(f.name, f.media_type, link(path, format=f.name)) for f in of_kind("graph").values()],
                "languages": [(lang, link(path, lang=lang)) for lang in LANGUAGES], "lang": namer.lang,
                "licence": (LICENCE_NAME, LICENCE_URL)}

    # --- dumps, the dataset description, browsing ---------------------------------------

    def dumps_page(self, request: Request) -> Reply:
        """/dumps: every dump, by graph selection and format."""
        def make() -> Reply:
            return Page("dumps.html", {"selections": selections(self.built), "dumps": dumps(self.built),
                                       "licence": (LICENCE_NAME, LICENCE_URL), "void": VOID_PATH})
        return self.conditional(request, self.etag(request, "/dumps"), make)

    def dump(self, filename: str, request: Request) -> Reply:
        """/dumps/<file>: one dump, from the file written for this build (made on first use)."""
        found = find(self.built, filename)
        if found is None:
            raise S3GraphError(f"no dump {filename!r}; the dumps are listed at /dumps", status=404,
                               code=Code.NOT_FOUND)
        etag = entity_tag(self.built.key, filename)
        headers = {"Last-Modified": self.built.modified, "Link": f'<{LICENCE_URL}>; rel="license"',
                   "Content-Disposition": f'attachment; filename="s3graph-{filename}"'}

        def make() -> Reply:
            return Response(200, found.media_type, dump_file(self.built, found).read_bytes())
        if not request.if_none_match and not_modified_since(request.if_modified_since, self.built.modified):
            return Response(304, "", b"", {"ETag": etag, "Cache-Control": CACHE_CONTROL, **headers})
        return self.conditional(request, etag, make, headers)

    @cached_property
    def description(self) -> list[ox.Triple]:
        """The dataset description (computed once: the build is frozen)."""
        return describe_dataset(self.settings, self.built, self.store)

    def dataset(self, request: Request) -> Reply:
        """/.well-known/void (also the dataset's and the catalogue's own IRIs, /dataset and
        /catalogue): the DCAT-AP catalogue and VoID description, negotiated."""
        triples = self.description

        def page(namer: Namer) -> Page:
            _, turtle = render(Triples(tuple(triples)), "ttl")
            return Page("void.html", {"turtle": turtle.decode(), "overview": self.overview.figures(),
                                      "summary": summary(triples, dataset_iri(self.settings), namer)})
        return self.negotiated(VOID_PATH, request, lambda: triples, page)

    def classes(self, request: Request) -> Reply:
        """/classes: every class with its number of instances; `?class=<IRI>`: its instances."""
        wanted = request.first().get("class")
        namer = self.namer(request)

        def make() -> Reply:
            if wanted is None:
                counts = self.overview.class_counts()
                return Page("classes.html", {"classes": [(namer.name(c), n) for c, n in counts], "members": None})
            members = self.overview.instances(wanted)
            if members is None:
                raise S3GraphError(f"no resource has the class {wanted}", status=404, code=Code.NOT_FOUND)
            iris = sorted(members[0])  # IRI order: a page is named without reading every label
            number = _page_number(request.first().get("page"))
            chosen = iris[(number - 1) * CLASS_PAGE:number * CLASS_PAGE]
            pages = max(1, -(-len(iris) // CLASS_PAGE))
            if number > pages:
                raise S3GraphError(f"page {number} of {pages}: there is no such page", status=404,
                                   code=Code.NOT_FOUND)
            return Page("classes.html", {"classes": None, "members": [namer.name(m) for m in chosen],
                                         "total": len(iris), "blank": members[1], "page": number, "pages": pages,
                                         "link": lambda n: link("/classes", **{"class": wanted, "page": n}),
                                         "class": namer.name(wanted)})
        return self.conditional(request, self.etag(request, "/classes", namer.lang), make,
                                {"Vary": "Accept, Accept-Language"})

    def home(self, request: Request, context: dict[str, object]) -> Reply:
        """/: what this is, its figures, entry points and the picture of the graph."""
        namer = self.namer(request)

        def make() -> Reply:
            return Page("home.html", {**context, "figures": self.overview.figures(),
                                      "matrix": self.overview.matrix(namer), "void": VOID_PATH,
                                      "licence": (LICENCE_NAME, LICENCE_URL)})
        return self.conditional(request, self.etag(request, "/", namer.lang), make,
                                {"Vary": "Accept, Accept-Language"})


VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"


def summary(triples: list[ox.Triple], dataset: str, namer: Namer) -> dict[str, object]:
    """What the dataset description says, for people: the dataset's figures, its distributions,
    its linksets (read back from the description's own triples, so the page cannot differ)."""
    by_subject: dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]] = {}
    for t in triples:
        by_subject.setdefault(str(t.subject), {}).setdefault(t.predicate.value, []).append(t.object)

    def one(subject: str, predicate: str) -> str:
        values = by_subject.get(subject, {}).get(predicate, [])
        return str(getattr(values[0], "value", values[0])) if values else ""

    node = f"<{dataset}>"
    figures = [(label, one(node, VOID + key)) for key, label in (
        ("triples", "triples"), ("entities", "resources under the URI space"), ("distinctSubjects", "subjects"),
        ("distinctObjects", "objects"), ("classes", "classes"), ("properties", "properties"))]
    linksets = []
    for subject, props in sorted(by_subject.items()):
        if ox.NamedNode(VOID + "Linkset") in props.get(RDF_TYPE, []):
            target = str(props[VOID + "objectsTarget"][0])
            linksets.append((one(target, "http://purl.org/dc/terms/title"), one(subject, VOID + "triples"),
                             namer.name(one(subject, VOID + "linkPredicate"))))
    distributions = by_subject.get(node, {}).get(DCAT + "distribution", [])
    return {"figures": figures, "linksets": linksets, "distributions": len(distributions),
            "title": one(node, "http://purl.org/dc/terms/title"), "iri": dataset}
