"""The build pipeline: load, validate, reason, freeze into the store; reused from the cache."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from ..errors import Code, S3GraphError, ValidationFailed
from ..settings import Settings
from .loader import SourceFile, Triples, discover, graph_iri, load
from .reasoners import REASONERS
from .store import BuiltGraph, DamagedEntry, GraphInfo, cache_key, integrity, read_cached, write_store
from .validation import Report, validate

Progress = Callable[[str], None]
log = logging.getLogger("s3graph.build")


def _quiet(_: str) -> None:
    return None


def _discard(entry: Path) -> None:
    """Move a damaged entry aside and delete it (another process may be doing the same)."""
    aside = entry.with_name(f".{entry.name}.damaged-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(entry, aside)
    except OSError:
        return  # gone already: another process discarded it
    shutil.rmtree(aside, ignore_errors=True)


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
    try:
        cached = read_cached(final, started)
    except DamagedEntry as damage:
        log.warning("cache entry %s is damaged (%s); rebuilding it", final, damage)
        progress(f"the cached build is damaged ({damage}); rebuilding")
        _discard(final)
        cached = None
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
    if settings.reasoner != "none":
        progress(f"computing the OWL-RL closure ({settings.reasoner})")
    inferred = [t if isinstance(t, ox.Triple) else ox.Triple(*t)
                for t in reasoner([t for graph in graphs.values() for t in graph])]
    graphs[inferred_iri] = inferred
    timings["infer"] = time.perf_counter() - mark

    mark = time.perf_counter()
    progress("writing the store")
    try:
        _write(settings, key, final, graphs, inferred_iri, [*files], timings, mark)
    except OSError as exc:
        raise S3GraphError(f"cache folder {settings.cache_dir}: cannot write the build ({exc.strerror or exc})",
                           code=Code.CACHE_ERROR) from None
    result = read_cached(final, started)
    assert result is not None, "the build just written cannot be read back"
    return BuiltGraph(result.key, result.directory, result.graphs, False,
                      time.perf_counter() - started, result.timings, result.figures)


def _write(settings: Settings, key: str, final: Path, graphs: dict[str, Triples], inferred_iri: str,
           files: list[SourceFile], timings: dict[str, float], mark: float) -> None:
    """Write the entry in a folder of its own, then move it into place in one rename."""
    Path(settings.cache_dir).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=settings.cache_dir))
    inferred = graphs[inferred_iri]
    try:
        figures = write_store(graphs, inferred_iri, workdir, settings.base_iri + "id/")
        timings["store"] = time.perf_counter() - mark
        infos = [GraphInfo(f.graph, f.role, f.path, len(graphs[f.graph])) for f in files]
        infos.append(GraphInfo(inferred_iri, "inferred", None, len(inferred)))
        meta = {"key": key, "graphs": [vars(i) for i in infos], "timings": timings, "figures": figures,
                "integrity": integrity(workdir)}
        (workdir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        try:
            os.rename(workdir, final)
        except OSError:
            # Another process finished the same build first: use theirs.
            shutil.rmtree(workdir, ignore_errors=True)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
