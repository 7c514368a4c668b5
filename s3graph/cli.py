"""The s3graph command line: validate, stats, query, export, queries and serve."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .build import BuiltGraph, build, check_shapes
from .engine import Bindings, make_engine, select_dataset
from .errors import S3GraphError
from .exporting import EXPORT_FORMATS, export
from .guard import check
from .renderers import FORMATS, render, result_kind
from .settings import Settings, load_settings, resolve_paths
from .stats import stats_text


def _progress(message: str) -> None:
    print(f"s3graph: {message} ...", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    return resolve_paths(load_settings(
        args.config, data_dir=args.data_dir, ontology_path=args.ontology, shapes_path=args.shapes,
        cache_dir=args.cache_dir, queries_dir=args.queries_dir))


def _build(settings: Settings) -> BuiltGraph:
    built = build(settings, progress=_progress)
    if not built.from_cache:
        print(f"s3graph: built in {built.seconds:.1f} s", file=sys.stderr)
    return built


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the data against the SHACL shapes; exit 1 on violations."""
    report = check_shapes(_settings(args))
    print(report.text())
    return 0 if report.conforms else 1


def cmd_stats(args: argparse.Namespace) -> int:
    """Print triples per graph, classes with instance counts, inferred triples, build time."""
    started = time.perf_counter()
    settings = _settings(args)
    built = _build(settings)
    engine = make_engine("oxigraph", built)
    print(stats_text(built, engine, time.perf_counter() - started))
    return 0


def _read_query(text: str) -> str:
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise S3GraphError(f"{path}: cannot read query file ({exc.strerror})", code="bad-file") from None
        except UnicodeDecodeError:
            raise S3GraphError(f"{path}: query file is not UTF-8", code="bad-file") from None
    return text


def cmd_query(args: argparse.Namespace) -> int:
    """Run a SPARQL query (text or @file) and print the result in the chosen format."""
    settings = _settings(args)
    if args.canned is None and args.query is None:
        raise S3GraphError("give a query (TEXT or @FILE) or --canned SLUG", code="usage")
    built = _build(settings)
    engine = make_engine(args.engine or settings.engine, built, settings.base_iri)
    dataset = select_dataset(built, infer=not args.no_inference)
    if args.canned is not None:
        from .catalog import load_catalog  # the catalog is only read when asked for
        from .regions import region_resolver

        canned = load_catalog(settings.queries_dir).get(args.canned)
        bindings = canned.bind(dict(_pairs(args.param)), region_resolver(built.open_store()))
        text = canned.sparql
    else:
        text, bindings = _read_query(args.query), {}
        # The same checks as over HTTP (update refused, SERVICE allow-list, clear syntax errors),
        # without the size limits meant for anonymous clients.
        checked = check(text, max_length=1 << 30, max_depth=4096,
                        allowlist=settings.federation_allowlist, base=settings.base_iri)
        if checked.from_graphs or checked.from_named_graphs:
            dataset = select_dataset(built, infer=not args.no_inference,
                                     default_graph_uris=checked.from_graphs,
                                     named_graph_uris=checked.from_named_graphs)
    result = engine.execute(text, dataset, bindings, settings.max_results)
    kind = result_kind(result)
    name = args.format or next(iter(FORMATS[kind]))
    if name not in FORMATS[kind]:
        raise S3GraphError(f"format {name!r} does not fit a {kind} result; use one of "
                           + ", ".join(FORMATS[kind]), code="bad-format")
    _, body = render(result, name)
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
    if getattr(result, "truncated", False):
        count = len(result.rows) if isinstance(result, Bindings) else len(result.triples)  # type: ignore[union-attr]
        print(f"s3graph: result truncated to {count} (max_results)", file=sys.stderr)
    return 0


def _pairs(items: Sequence[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise S3GraphError(f"parameter {item!r} is not name=value", code="usage")
        pairs.append((name, value))
    return pairs


def cmd_export(args: argparse.Namespace) -> int:
    """Write the dataset (asserted, inferred or all graphs) in an RDF format."""
    settings = _settings(args)
    built = _build(settings)
    body = export(built, args.format, args.graphs)
    if args.output:
        Path(args.output).write_bytes(body)
        print(f"s3graph: wrote {len(body)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    """List the canned queries."""
    from .catalog import load_catalog

    catalog = load_catalog(_settings(args).queries_dir)
    for canned in catalog.queries:
        params = ", ".join(p.signature() for p in canned.parameters)
        print(f"{canned.slug}\t{canned.title}" + (f"\t({params})" if params else ""))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Build (or reuse) the graph and serve it over HTTP."""
    from .server import serve  # the web layer is only imported to serve

    settings = _settings(args)
    if args.workers is not None:
        settings = settings.replace(workers=args.workers)
    if args.threads is not None:
        settings = settings.replace(threads=args.threads)
    if args.engine:
        settings = settings.replace(engine=args.engine)
    if settings.public_url == Settings().public_url:
        # Not configured: describe the service at the address it listens on.
        settings = settings.replace(public_url=f"http://{args.host}:{args.port}")
    _build(settings)
    serve(settings, host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of the s3graph command."""
    top = argparse.ArgumentParser(prog="s3graph", description="A linked-data graph of EU Smart "
                                  "Specialisation cooperation, with a SPARQL endpoint.")
    top.add_argument("--version", action="version", version=f"s3graph {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="a TOML file of settings")
    common.add_argument("--data-dir", help="folder of data files (default: the bundled data)")
    common.add_argument("--ontology", help="the ontology file (default: the bundled one)")
    common.add_argument("--shapes", help="the SHACL shapes file (default: the bundled one)")
    common.add_argument("--cache-dir", help="where builds are cached")
    common.add_argument("--queries-dir", help="folder of canned queries")
    sub = top.add_subparsers(dest="command", required=True)

    sub.add_parser("validate", parents=[common], help="check the data against the SHACL shapes")
    sub.add_parser("stats", parents=[common], help="triples per graph, classes, build time")

    q = sub.add_parser("query", parents=[common], help="run a SPARQL query")
    q.add_argument("query", nargs="?", help="the query text, or @FILE")
    q.add_argument("--format", choices=sorted({*FORMATS["bindings"], *FORMATS["graph"]}),
                   help="output format (default: json for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE)")
    q.add_argument("--no-inference", action="store_true", help="query the asserted triples only")
    q.add_argument("--engine", choices=["oxigraph", "rdflib"], help="query engine")
    q.add_argument("--canned", metavar="SLUG", help="run a canned query instead")
    q.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="a canned-query parameter (repeatable)")

    e = sub.add_parser("export", parents=[common], help="write the dataset as RDF")
    e.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="ttl")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--asserted", dest="graphs", action="store_const", const="asserted",
                       help="the asserted graphs only (ontology and data)")
    which.add_argument("--inferred", dest="graphs", action="store_const", const="inferred",
                       help="the inferred graph only")
    which.add_argument("--all", dest="graphs", action="store_const", const="all",
                       help="asserted and inferred graphs (the default)")
    e.add_argument("-o", "--output", help="write to this file instead of standard output")
    e.set_defaults(graphs="all")

    sub.add_parser("queries", parents=[common], help="list the canned queries")

    s = sub.add_parser("serve", parents=[common], help="serve the SPARQL endpoint")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, help="server processes (0: one, with no query deadline)")
    s.add_argument("--threads", type=int, help="HTTP threads per server process")
    s.add_argument("--engine", choices=["oxigraph", "rdflib"])
    return top


COMMANDS = {"validate": cmd_validate, "stats": cmd_stats, "query": cmd_query,
            "export": cmd_export, "queries": cmd_queries, "serve": cmd_serve}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; expected failures print one line and exit non-zero."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except S3GraphError as exc:
        print(f"s3graph: error: {exc.message}", file=sys.stderr)
        return 1 if exc.code == "shapes-violated" else 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
