"""Load the ontology and the data files, each into its own named graph, refusing bad input."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax import SAXParseException

import pyoxigraph as ox
import rdflib
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..errors import DataError
from ..terms import from_rdflib

#: File suffixes the loader reads, and the rdflib parser for each.
FORMATS = {".ttl": "turtle", ".nt": "turtle", ".rdf": "xml", ".owl": "xml"}  # N-Triples is Turtle

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, the named graph it loads into, its role and content hash."""

    path: str
    graph: str
    role: str  # "ontology" or "data"
    sha256: str


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of the named graph called `name` (a data file's stem, "ontology", "inferred")."""
    return f"{base_iri}graph/{name}"


def _hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise DataError("file not found", path=str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", path=str(path)) from None


def discover(ontology_path: str, data_dir: str, base_iri: str) -> list[SourceFile]:
    """The input files in load order: the ontology, then every data file sorted by name."""
    ontology = Path(ontology_path)
    files = [SourceFile(str(ontology), graph_iri(base_iri, "ontology"), "ontology", _hash(ontology))]
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError("data folder not found", path=str(folder))
    data = sorted(p for p in folder.iterdir() if p.suffix in FORMATS and p.is_file())
    if not data:
        raise DataError("no data files (*.ttl, *.nt, *.rdf) in the data folder", path=str(folder))
    seen: dict[str, Path] = {}
    for path in data:
        if path.stem in ("ontology", "inferred") or path.stem in seen:
            raise DataError(f"graph name {path.stem!r} is taken; rename the file", path=str(path))
        seen[path.stem] = path
        files.append(SourceFile(str(path), graph_iri(base_iri, path.stem), "data", _hash(path)))
    return files


def _syntax_error(exc: BadSyntax, path: str) -> DataError:
    """Turn rdflib's BadSyntax into a DataError naming file, line and column.

    rdflib counts the line after skipping whitespace but may leave its index at the end of
    the previous statement; the column is then that of the first character on the line.
    """
    line = int(getattr(exc, "lines", 0)) + 1
    raw = getattr(exc, "_str", b"")
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw)
    index = int(getattr(exc, "_i", 0))
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    start = starts[line - 1] if line - 1 < len(starts) else 0
    if index >= start:
        column = index - start + 1
    else:
        content = text[start:].split("\n", 1)[0]
        column = len(content) - len(content.lstrip()) + 1
    why = getattr(exc, "_why", None) or str(exc).splitlines()[0]
    return DataError(f"column {column}: {why}", path=path, line=line)


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_OXIGRAPH_WHERE = re.compile(r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)"
                             r"|between line \d+ column \d+ and line \d+ column \d+): ")

#: The triples of one file, in pyoxigraph's terms (what the reasoner, validator and store take).
Triples = list[ox.Triple]


def _check_iris(graph: rdflib.Graph, raw: bytes, path: str) -> None:
    """Refuse IRIs that rdflib lets through but RDF forbids (spaces, quotes, brackets)."""
    for triple in graph:
        for term in triple:
            if isinstance(term, rdflib.URIRef) and _BAD_IRI.search(str(term)):
                at = raw.find(str(term).encode("utf-8"))
                line = raw.count(b"\n", 0, at) + 1 if at >= 0 else None
                raise DataError(f"invalid IRI <{term}> (spaces and <>\"{{}}|^`\\ are not allowed)",
                                path=path, line=line)


def _parse_rdf_xml(raw: bytes, source: SourceFile, base: str) -> Triples:
    """RDF/XML through rdflib (whose errors carry a line; Oxigraph's RDF/XML errors do not)."""
    if _DTD.search(raw):
        raise DataError("RDF/XML with a DOCTYPE or ENTITY declaration is refused", path=source.path)
    graph = rdflib.Graph(identifier=rdflib.URIRef(source.graph))
    try:
        graph.parse(data=raw, format="xml", publicID=base)
    except SAXParseException as exc:
        raise DataError(f"column {exc.getColumnNumber()}: {exc.getMessage()}",
                        path=source.path, line=exc.getLineNumber()) from None
    except BadSyntax as exc:
        raise _syntax_error(exc, source.path) from None
    _check_iris(graph, raw, source.path)
    return [ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph]  # type: ignore[arg-type]


def _parse_turtle(source: SourceFile, base: str) -> Triples:
    """Turtle and N-Triples through Oxigraph's parser: twenty times rdflib's speed, and strict
    about IRIs; its errors give the line and column where the problem starts."""
    try:
        with open(source.path, "rb") as handle:
            return [quad.triple for quad in ox.parse(handle, format=ox.RdfFormat.TURTLE, base_iri=base,
                                                     rename_blank_nodes=True)]
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        why = _OXIGRAPH_WHERE.sub("", str(exc.msg)) or "syntax error"
        where = f"column {column}: " if column else ""
        raise DataError(f"{where}{why}", path=source.path, line=line) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 (byte {exc.start})", path=source.path) from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror})", path=source.path) from None


def parse_file(source: SourceFile) -> Triples:
    """Parse one file into its triples; a bad file raises DataError naming file and line."""
    path = Path(source.path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"unsupported file type {suffix!r}", path=source.path)
    base = path.resolve().as_uri()
    if FORMATS[suffix] == "xml":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read file ({exc.strerror})", path=source.path) from None
        return _parse_rdf_xml(raw, source, base)
    return _parse_turtle(source, base)


def load(files: list[SourceFile]) -> dict[str, Triples]:
    """Parse every file; returns named graph IRI -> graph, in load order."""
    return {source.graph: parse_file(source) for source in files}
