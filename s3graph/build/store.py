"""The frozen result of a build: an on-disk Oxigraph store and its N-Quads dump, cached by key."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib

from .. import __version__
from .loader import SourceFile

#: Bump when the layout of the cache changes, so that old entries are not reused.
CACHE_FORMAT = 4

#: A graph the build materialises but does not list as a named graph: the merge of the
#: asserted graphs alone, the default graph of `infer=false` (the store's own default graph
#: holds every triple, asserted and inferred, once).
ASSERTED_MERGE = "urn:s3graph:asserted-merge"


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
    #: what the landing page shows, counted once by the build (`write_store`): "triples" of
    #: the default graph, "resources" (IRIs under the base that are subjects), "classes"
    #: (class IRI -> instances); empty for an entry written before they were
    figures: dict[str, Any] = field(default_factory=dict)

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

    @property
    def modified(self) -> str:
        """When the build was written, as an HTTP date (Last-Modified of its dumps)."""
        return formatdate(os.stat(os.path.join(self.directory, "meta.json")).st_mtime, usegmt=True)

    @property
    def triples(self) -> int:
        """The triples of every named graph (asserted and inferred), as `s3graph stats` counts them."""
        return sum(g.triples for g in self.graphs)

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


def reasoner_code() -> str:
    """A hash of the reasoners' own code: the inferred graph depends on it, and a development
    checkout changes it without changing the package version."""
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / name).read_bytes() for name in ("reasoners.py", "rules.py"))).hexdigest()


def cache_key(files: list[SourceFile], shapes: SourceFile, validated: bool, reasoner: str = "rules") -> str:
    """A hash of everything the build depends on: inputs, libraries and this package."""
    parts = {
        "reasoner code": reasoner_code() if reasoner != "none" else None,
        "format": CACHE_FORMAT,
        "s3graph": __version__,
        "python": platform.python_version(),
        "libraries": {name: version(name) for name in ("rdflib", "owlrl", "pyoxigraph", "pyshacl")},
        "files": [(f.role, Path(f.path).name, f.graph, f.sha256) for f in files],
        "shapes": shapes.sha256 if validated else None,
        "reasoner": reasoner,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


class DamagedEntry(Exception):
    """A cache entry that cannot be trusted: its reason."""


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def integrity(workdir: Path) -> dict[str, object]:
    """What a reader checks an entry against: the dump's size and digest, the store's quads."""
    nquads = workdir / "dataset.nq"
    return {"nquads_bytes": nquads.stat().st_size, "nquads_sha256": file_digest(nquads),
            "store_quads": len(ox.Store.read_only(str(workdir / "oxigraph")))}


def read_cached(directory: Path, started: float) -> BuiltGraph | None:
    """The build cached in `directory`, verified; None when there is none.

    Raises DamagedEntry when the entry is there but does not match what was written with
    it (a truncated or garbled dump, a store with other quads, an unreadable meta.json).
    """
    meta_path = directory / "meta.json"
    if not directory.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        graphs = tuple(GraphInfo(**g) for g in meta["graphs"])
        expected = meta["integrity"]
        key, timings = meta["key"], meta["timings"]
        figures = meta.get("figures") or {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamagedEntry(f"meta.json cannot be read ({type(exc).__name__})") from None
    nquads = directory / "dataset.nq"
    try:
        size = nquads.stat().st_size
        if size != expected["nquads_bytes"]:
            raise DamagedEntry(f"dataset.nq has {size} bytes, {expected['nquads_bytes']} were written")
        if file_digest(nquads) != expected["nquads_sha256"]:
            raise DamagedEntry("dataset.nq does not have the digest it was written with")
        quads = len(ox.Store.read_only(str(directory / "oxigraph")))
    except OSError as exc:
        raise DamagedEntry(f"{exc.strerror or exc}") from None
    if quads != expected["store_quads"]:
        raise DamagedEntry(f"the store holds {quads} quads, {expected['store_quads']} were written")
    return BuiltGraph(key, str(directory), graphs, True, time.perf_counter() - started, timings, figures)


def write_store(graphs: Mapping[str, Sequence[ox.Triple]], inferred: str, workdir: Path,
                resource_base: str = "") -> dict[str, Any]:
    """Write every graph as one N-Quads document and bulk-load it into an on-disk store;
    returns the figures of its default graph (see `BuiltGraph.figures`), counted on the way.

    One document keeps blank-node labels shared between graphs (the inferred graph speaks
    of blank nodes of the asserted ones). The quads stream into the document: at 10^6
    triples a list of every quad would hold gigabytes.
    """
    inferred_graph = graphs[inferred]
    # The store's default graph: every triple once (asserted and inferred); and the merge of
    # the asserted graphs alone, for queries without inference (see engines.EVERYTHING).
    merged = {t for iri, graph in graphs.items() if iri != inferred for t in graph}
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    counted = {"triples": 0}
    subjects: set[str] = set()
    classes: dict[str, set[object]] = {}

    def count(t: ox.Triple) -> None:
        counted["triples"] += 1
        subject = t.subject
        if isinstance(subject, ox.NamedNode) and resource_base and subject.value.startswith(resource_base):
            subjects.add(subject.value)
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode):
            classes.setdefault(t.object.value, set()).add(subject)

    def quads() -> Iterator[ox.Quad]:
        for iri, graph in graphs.items():
            name = ox.NamedNode(iri)
            for t in graph:
                yield ox.Quad(t.subject, t.predicate, t.object, name)
        asserted, default = ox.NamedNode(ASSERTED_MERGE), ox.DefaultGraph()
        for t in merged:
            count(t)
            yield ox.Quad(t.subject, t.predicate, t.object, asserted)
            yield ox.Quad(t.subject, t.predicate, t.object, default)
        for t in inferred_graph:  # the reasoner infers no asserted triple, each triple once
            if t not in merged:
                count(t)
                yield ox.Quad(t.subject, t.predicate, t.object, default)

    nquads = workdir / "dataset.nq"
    ox.serialize(quads(), str(nquads), format=ox.RdfFormat.N_QUADS)
    store = ox.Store(str(workdir / "oxigraph"))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return {"triples": counted["triples"], "resources": len(subjects),
            "classes": {cls: len(members) for cls, members in classes.items()}}
