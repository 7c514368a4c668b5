"""The build pipeline: load, validate, reason, freeze into the store; reused from the cache."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rdflib

from ..errors import ValidationFailed
from ..settings import Settings
from .loader import discover, graph_iri, load
from .reasoners import REASONERS
from .store import BuiltGraph, GraphInfo, cache_key, read_cached, write_store
from .validation import Report, validate

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def check_shapes(settings: Settings) -> Report:
    """Validate the data files against the shapes (without building anything)."""
    files = discover(settings.ontology_path, settings.data_dir, settings.base_iri)
    shapes = discover(settings.shapes_path, settings.data_dir, settings.base_iri)[0]
    return validate(load(files).values(), shapes)


def build(settings: Settings, progress: Progress = _quiet) -> BuiltGraph:
    """Build the dataset, or reuse the cached build of exactly the same inputs."""
    started = time.perf_counter()
    reasoner = REASONERS.pick(settings.reasoner)
    files = discover(settings.ontology_path, settings.data_dir, settings.base_iri)
    shapes = discover(settings.shapes_path, settings.data_dir, settings.base_iri)[0]
    key = cache_key(files, shapes, settings.validate_on_build, settings.reasoner)
    final = Path(settings.cache_dir) / key
    cached = read_cached(final, started)
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
    if settings.reasoner != "none":
        progress(f"computing the OWL-RL closure ({settings.reasoner})")
    for triple in reasoner(triple for graph in graphs.values() for triple in graph):
        inferred.add(triple)
    graphs[inferred_iri] = inferred
    timings["infer"] = time.perf_counter() - mark

    mark = time.perf_counter()
    progress("writing the store")
    Path(settings.cache_dir).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=settings.cache_dir))
    try:
        write_store(graphs, inferred_iri, workdir)
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
    result = read_cached(final, started)
    assert result is not None, "the build just written cannot be read back"
    return BuiltGraph(result.key, result.directory, result.graphs, False,
                      time.perf_counter() - started, result.timings)
