"""The dumps: every graph selection in every dataset format, plain and gzipped, as files.

A dump is made by the same code as `s3graph export` (`exporting.export`), written once per
build next to the store (the build is immutable), then served from that file.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..build.store import BuiltGraph
from ..formats.registry import Format, dump_formats
from .exporting import export


@dataclass(frozen=True)
class Selection:
    """Which graphs a dump holds: all, the asserted ones, the inferred one, or one named graph."""

    name: str  # "all", "asserted", "inferred" or the last segment of a named graph's IRI
    graphs: str  # what `export` takes: "all", "asserted", "inferred" or a graph IRI
    title: str


@dataclass(frozen=True)
class Dump:
    """One downloadable file: a selection in a format, gzipped or not."""

    selection: Selection
    format: Format
    gzip: bool

    @property
    def filename(self) -> str:
        """The file's name, e.g. `all.ttl.gz`: the selection, the format's name, `.gz`."""
        return f"{self.selection.name}.{self.format.name}" + (".gz" if self.gzip else "")

    @property
    def path(self) -> str:
        """The dump's path on the site, e.g. `/dumps/all.ttl.gz`."""
        return f"/dumps/{self.filename}"

    @property
    def media_type(self) -> str:
        """The media type of the file (gzip for the compressed ones)."""
        return "application/gzip" if self.gzip else self.format.media_type


def selections(built: BuiltGraph) -> list[Selection]:
    """The graph selections on offer: all, asserted, inferred, then each named graph."""
    found = [Selection("all", "all", "Every graph: asserted and inferred"),
             Selection("asserted", "asserted", "The asserted graphs (ontology and data)"),
             Selection("inferred", "inferred", "The inferred graph (OWL-RL closure)")]
    for info in built.graphs:
        if info.role != "inferred":
            found.append(Selection(info.iri.rstrip("/").rsplit("/", 1)[-1], info.iri, f"The graph {info.iri}"))
    return found


def dumps(built: BuiltGraph) -> list[Dump]:
    """Every dump on offer, by selection, then format, plain before gzipped."""
    return [Dump(s, f, z) for s in selections(built) for f in dump_formats().values() for z in (False, True)]


def find(built: BuiltGraph, filename: str) -> Dump | None:
    """The dump called `filename`, or None."""
    return next((d for d in dumps(built) if d.filename == filename), None)


def dump_file(built: BuiltGraph, dump: Dump) -> Path:
    """The dump's file, written on first use (atomically: concurrent writers race harmlessly)."""
    folder = Path(built.directory) / "dumps"
    target = folder / dump.filename
    if target.exists():
        return target
    folder.mkdir(exist_ok=True)
    body = export(built, dump.format.name, dump.selection.graphs)
    if dump.gzip:
        body = gzip.compress(body, compresslevel=6, mtime=0)
    handle, temporary = tempfile.mkstemp(prefix=f".{dump.filename}-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
