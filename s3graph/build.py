"""The build pipeline: load, validate, infer, freeze into an Oxigraph store; cached on disk."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
import rdflib

from . import __version__
from .errors import ValidationFailed
from .inference import closure
from .loader import SourceFile, discover, graph_iri, load
from .settings import Settings, resolve_paths
from .terms import from_rdflib
from .validation import Report, validate

#: Bump when the layout of the cache changes, so that old entries are not reused.
CACHE_FORMAT = 3

#: A graph the build materialises but does not list as a named graph: the merge of the
#: asserted graphs alone, the default graph of `infer=false` (the store's own default graph
#: holds every triple, asserted and inferred, once).
ASSERTED_MERGE = "urn:s3graph:asserted-merge"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class GraphInfo:
    """One named graph of the built dataset."""

    iri: str
    role: str  # "ontology", "data" or "inferred"
    path: str | None
    triples: int


@dataclass(frozen=True)
class BuiltGraph:
    """The frozen result of a build: an on-disk Oxigraph store plus its N-Quads dump."""

    key: str
    directory: str
    graphs: tuple[GraphInfo, ...]
    from_cache: bool
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def store_path(self) -> str:
        """The folder of the read-only Oxigraph store."""
        return os.path.join(self.directory, "oxigraph")

    @property
    def nquads_path(self) -> str:
        """The whole dataset (asserted and inferred graphs) as N-Quads."""
        return os.path.join(self.directory, "dataset.nq")

    @property
    def inferred_graph(self) -> str:
        """The IRI of the graph holding the inferred triples."""
        return next(g.iri for g in self.graphs if g.role == "inferred")

    @property
    def asserted_graphs(self) -> tuple[str, ...]:
        """The IRIs of the ontology graph and the data graphs."""
        return tuple(g.iri for g in self.graphs if g.role != "inferred")

    def graph_iris(self) -> tuple[str, ...]:
        """Every named graph's IRI."""
        return tuple(g.iri for g in self.graphs)

    def open_store(self) -> ox.Store:
        """Open the store read-only (each process opens its own)."""
        return ox.Store.read_only(self.store_path)

    def rdflib_dataset(self) -> rdflib.Dataset:
        """The dataset loaded into rdflib (slow; for the rdflib engine and cross-checks)."""
        dataset = rdflib.Dataset()
        dataset.parse(self.nquads_path, format="nquads")
        return dataset


def _quiet(_: str) -> None:
    return None


def cache_key(files: list[SourceFile], shapes: SourceFile, validated: bool, reasoner: str = "owlrl") -> str:
    """A hash of everything the build depends on: inputs, libraries and this package."""
    parts = {
        "format": CACHE_FORMAT,
        "s3graph": __version__,
        "python": platform.python_version(),
        "libraries": {name: version(name) for name in ("rdflib", "owlrl", "pyoxigraph", "pyshacl")},
        "files": [(f.role, Path(f.path).name, f.graph, f.sha256) for f in files],
        "shapes": shapes.sha256 if validated else None,
        "reasoner": reasoner,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _read_cached(directory: Path, started: float) -> BuiltGraph | None:
    meta_path = directory / "meta.json"
    if not meta_path.is_file() or not (directory / "oxigraph").is_dir():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    graphs = tuple(GraphInfo(**g) for g in meta["graphs"])
    return BuiltGraph(meta["key"], str(directory), graphs, True,
                      time.perf_counter() - started, meta["timings"])


def _write_store(graphs: dict[str, rdflib.Graph], inferred: str, workdir: Path) -> None:
    """Write every graph as one N-Quads document and bulk-load it into an on-disk store.

    One document keeps blank-node labels shared between graphs (the inferred graph speaks
    of blank nodes of the asserted ones).
    """
    quads = [ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.NamedNode(iri))  # type: ignore[arg-type]
             for iri, graph in graphs.items() for s, p, o in graph]
    # The store's default graph: every triple once (asserted and inferred); and the merge of
    # the asserted graphs alone, for queries without inference (see engine.EVERYTHING).
    inferred_graph = ox.NamedNode(inferred)
    merged = {q.triple for q in quads if q.graph_name != inferred_graph}
    everything = merged | {q.triple for q in quads if q.graph_name == inferred_graph}
    asserted = ox.NamedNode(ASSERTED_MERGE)
    quads.extend([ox.Quad(t.subject, t.predicate, t.object, asserted) for t in merged])
    quads.extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in everything])
    nquads = workdir / "dataset.nq"
    ox.serialize(quads, str(nquads), format=ox.RdfFormat.N_QUADS)
    store = ox.Store(str(workdir / "oxigraph"))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store


def check_shapes(settings: Settings) -> Report:
    """Validate the data files against the shapes (without building anything)."""
    settings = resolve_paths(settings)
    files = discover(settings.ontology_path, settings.data_dir, settings.base_iri)
    shapes = discover(settings.shapes_path, settings.data_dir, settings.base_iri)[0]
    return validate(load(files).values(), shapes)


def build(settings: Settings, progress: Progress = _quiet) -> BuiltGraph:
    """Build the dataset, or reuse the cached build of exactly the same inputs."""
    started = time.perf_counter()
    settings = resolve_paths(settings)
    files = discover(settings.ontology_path, settings.data_dir, settings.base_iri)
    shapes = discover(settings.shapes_path, settings.data_dir, settings.base_iri)[0]
    key = cache_key(files, shapes, settings.validate_on_build, settings.reasoner)
    final = Path(settings.cache_dir) / key
    cached = _read_cached(final, started)
    if cached is not None:
        return cached

    timings: dict[str, float] = {}
    mark = time.perf_counter()
    progress(f"loading {len(files)} files")
    graphs = load(files)
    timings["load"] = time.perf_counter() - mark
    if settings.validate_on_build:
        mark = time.perf_counter()
        progress("validating against the SHACL shapes")
        report = validate(graphs.values(), shapes)
        timings["validate"] = time.perf_counter() - mark
        if not report.conforms:
            raise ValidationFailed(report.text())
    mark = time.perf_counter()
    inferred_iri = graph_iri(settings.base_iri, "inferred")
    inferred = rdflib.Graph(identifier=rdflib.URIRef(inferred_iri))
    if settings.reasoner == "owlrl":
        progress("computing the OWL-RL closure (owlrl)")
        for triple in closure(triple for graph in graphs.values() for triple in graph):
            inferred.add(triple)
    graphs[inferred_iri] = inferred
    timings["infer"] = time.perf_counter() - mark

    mark = time.perf_counter()
    progress("writing the store")
    Path(settings.cache_dir).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=settings.cache_dir))
    try:
        _write_store(graphs, inferred_iri, workdir)
        timings["store"] = time.perf_counter() - mark
        infos = [GraphInfo(f.graph, f.role, f.path, len(graphs[f.graph])) for f in files]
        infos.append(GraphInfo(inferred_iri, "inferred", None, len(inferred)))
        meta = {"key": key, "graphs": [vars(i) for i in infos], "timings": timings}
        (workdir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.rename(workdir, final)
        except OSError:
            # Another process finished the same build first: use theirs.
            shutil.rmtree(workdir, ignore_errors=True)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    result = _read_cached(final, started)
    assert result is not None, "the build just written cannot be read back"
    return BuiltGraph(result.key, result.directory, result.graphs, False,
                      time.perf_counter() - started, result.timings)


__all__ = ["BuiltGraph", "GraphInfo", "build", "check_shapes"]
