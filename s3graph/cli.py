"""The s3graph command line: validate, stats, query, export, queries and serve."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .build.pipeline import check_shapes
from .errors import Code, S3GraphError
from .formats.registry import KINDS, dump_formats, of_kind
from .query.catalog import RESERVED, load_catalog
from .query.engines import ENGINES
from .remote.publish import publish
from .remote.store import RemoteEngine, backend_client, check_backend, query_timeout
from .remote.verify import agreeing
from .service.compose import compose
from .service.http import RESULTS_HEADER, TRUNCATED_HEADER, WARNING_HEADER, Request, Response
from .service.service import TRUSTED, Service
from .settings import Settings, load_settings


def _progress(message: str) -> None:
    print(f"s3graph: {message} ...", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, data_dir=args.data_dir, ontology_path=args.ontology, shapes_path=args.shapes,
                         cache_dir=args.cache_dir, queries_dir=args.queries_dir,
                         engine=getattr(args, "engine", None))


def _service(settings: Settings) -> Service:
    """The service for a trusted user: the same path as HTTP, without the anonymous limits."""
    service = compose(settings, profile=TRUSTED, progress=_progress)
    if not service.built.from_cache:
        print(f"s3graph: built in {service.built.seconds:.1f} s", file=sys.stderr)
    return service


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the data against the SHACL shapes; exit 1 on violations."""
    report = check_shapes(_settings(args))
    print(report.text())
    return 0 if report.conforms else 1


def cmd_stats(args: argparse.Namespace) -> int:
    """Print triples per graph, classes with instance counts, inferred triples, build time."""
    started = time.perf_counter()
    service = _service(_settings(args).replace(engine="oxigraph"))
    print(service.stats(time.perf_counter() - started))
    return 0


def _read_query(text: str) -> str:
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise S3GraphError(f"{path}: cannot read query file ({exc.strerror})", code=Code.BAD_FILE) from None
        except UnicodeDecodeError:
            raise S3GraphError(f"{path}: query file is not UTF-8", code=Code.BAD_FILE) from None
    return text


def cmd_query(args: argparse.Namespace) -> int:
    """Run a SPARQL query (text or @file) or a canned query and print the result."""
    if args.canned is None and args.query is None:
        raise S3GraphError("give a query (TEXT or @FILE) or --canned SLUG", code=Code.USAGE)
    if args.canned is not None and args.query is not None:
        raise S3GraphError("give a query (TEXT or @FILE) or --canned SLUG, not both", code=Code.USAGE)
    if args.canned is None and args.param:
        raise S3GraphError("-p/--param is for canned queries (--canned SLUG); bind values in the query text",
                           code=Code.USAGE)
    params = _pairs(args.param)
    service = _service(_settings(args))
    options = [("infer", "false")] if args.no_inference else []
    options += [("format", args.format)] if args.format else []
    if args.canned is not None:
        _check_format(args.format, "bindings")
        response = service.canned(args.canned, Request("GET", (*params, *options)))
    else:
        text = _read_query(args.query)
        _check_format(args.format, service.guard(text).kind)
        response = service.sparql(Request("GET", (("query", text), *options)))
    if not isinstance(response, Response):  # the trusted profile offers no pages
        raise S3GraphError("the command line prints data, not pages", code=Code.USAGE)
    sys.stdout.buffer.write(response.body)
    if response.body and not response.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")  # every output ends its last line (JSON, JSON-LD, XML do not)
    sys.stdout.flush()
    if response.headers.get(TRUNCATED_HEADER):
        print(f"s3graph: result truncated to {response.headers[RESULTS_HEADER]} (max_results)", file=sys.stderr)
    if response.headers.get(WARNING_HEADER):
        print(f"s3graph: warning: {response.headers[WARNING_HEADER]}", file=sys.stderr)
    return 0


def _check_format(name: str | None, kind: str) -> None:
    """--format means what it says: a format that does not fit the result is an error (over
    HTTP a client's format= that does not fit falls back to its Accept header instead)."""
    if name is None:
        return
    wanted = name.strip().lower()
    if not any(wanted == f.name or wanted in f.aliases or wanted in f.media_types for f in of_kind(kind).values()):
        raise S3GraphError(f"format {name!r} does not fit a {kind} result; use one of {', '.join(of_kind(kind))}",
                           code=Code.BAD_FORMAT)


def _pairs(items: Sequence[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise S3GraphError(f"parameter {item!r} is not name=value", code=Code.USAGE)
        if name in RESERVED:
            raise S3GraphError(f"parameter {name!r} is not a parameter of the query; use the option instead",
                               code=Code.USAGE)
        pairs.append((name, value))
    return pairs


def cmd_export(args: argparse.Namespace) -> int:
    """Write the dataset (asserted, inferred or all graphs) in an RDF format."""
    body = _service(_settings(args)).export(args.format, args.graphs or "all")
    if args.output:
        Path(args.output).write_bytes(body)
        print(f"s3graph: wrote {len(body)} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    """List the canned queries."""
    catalog = load_catalog(_settings(args).queries_dir)
    for canned in catalog.queries:
        params = ", ".join(p.signature() + (f" [{'|'.join(p.allowed)}]" if p.allowed else "")
                           for p in canned.parameters)
        print(f"{canned.slug}\t{canned.title}" + (f"\t({params})" if params else ""))
    return 0


def _given(settings: Settings, **options: object) -> Settings:
    """The settings with the command-line options that were given (not None) in place."""
    given = {name: value for name, value in options.items() if value is not None}
    return settings.replace(**given) if given else settings


def cmd_serve(args: argparse.Namespace) -> int:
    """Build (or reuse) the graph and serve it over HTTP."""
    from .server.supervisor import serve  # the web layer is only imported to serve

    settings = _given(_settings(args), workers=args.workers, threads=args.threads, backend=args.backend)
    if settings.public_url == Settings().public_url:
        # Not configured: describe the service at the address it listens on.
        settings = settings.replace(public_url=f"http://{args.host}:{args.port}")
    service = _service(settings)  # builds the graph (or checks the cache) once, before the processes start
    if settings.backend:
        check_backend(backend_client(settings), service.built, query_timeout(settings))
    service.close()
    serve(settings, host=args.host, port=args.port)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Build (or reuse) the graph and write it into an existing store."""
    settings = _given(_settings(args), backend_user=args.user, backend_auth=args.auth)
    if args.batch < 1:
        raise S3GraphError(f"--batch must be 1 or more, not {args.batch}", code=Code.USAGE)
    service = _service(settings)
    built = service.built
    update = backend_client(settings, args.to)
    reader = backend_client(settings, args.query_url) if args.query_url else update

    def answers() -> dict[str, str]:
        store = RemoteEngine(reader, query_timeout(settings), settings.base_iri)
        return agreeing(built, service.catalog, store, service.lookup, service.resolve_region)

    done = publish(built, update, query=reader, batch=args.batch, progress=_progress, answers=answers)
    local = [q.slug for q in service.catalog.queries if not q.federation]
    print(f"s3graph: published {sum(done.graphs.values())} triples in {len(done.graphs)} graphs to {args.to} "
          f"({done.requests} requests, {done.seconds:.1f} s); serve it with "
          f"s3graph serve --backend {args.query_url or args.to}", file=sys.stderr)
    missing = [slug for slug in local if slug not in done.answers]
    print(f"s3graph: the store answers {len(local) - len(missing)} of the {len(local)} canned queries as the build "
          "does" + (f"; these will not be answered from it: {', '.join(missing)}" if missing else ""),
          file=sys.stderr)
    return 0


class Help(argparse.HelpFormatter):
    """Help that shows each option's default, when it has one and the text does not say it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "default" not in text:
            text += " (default: %(default)s)"
        return text


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

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=text, description=text[0].upper() + text[1:] + ".",
                              formatter_class=Help)

    command("validate", "check the data against the SHACL shapes (exit 1 when it does not conform)")
    command("stats", "triples per graph, classes, territories and build time")

    q = command("query", "run a SPARQL query (read-only, stored graphs only) or a canned query and print "
                "the result")
    q.add_argument("query", nargs="?", help="the query text, or @FILE")
    q.add_argument("--format", choices=sorted({name for kind in KINDS for name in of_kind(kind)}),
                   help="output format: json, xml, csv, tsv for SELECT/ASK; ttl, jsonld, nt, xml, trig, nq for "
                        "CONSTRUCT/DESCRIBE (default: json, or ttl)")
    q.add_argument("--no-inference", action="store_true", help="query the asserted triples only")
    q.add_argument("--engine", choices=list(ENGINES), help="query engine (default: the engine setting)")
    q.add_argument("--canned", metavar="SLUG", help="run a canned query instead")
    q.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="a canned-query parameter (repeatable)")

    e = command("export", "write the dataset, or part of it, as RDF (the same bytes as the dumps at /dumps)")
    e.add_argument("--format", choices=sorted(dump_formats()), default="ttl",
                   help="RDF format; nq, trig and jsonld keep the graph names, ttl and nt merge the graphs")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--asserted", dest="graphs", action="store_const", const="asserted",
                       help="the asserted graphs only (ontology and data)")
    which.add_argument("--inferred", dest="graphs", action="store_const", const="inferred",
                       help="the inferred graph only")
    which.add_argument("--all", dest="graphs", action="store_const", const="all",
                       help="asserted and inferred graphs (the default)")
    which.add_argument("--graph", dest="graphs", metavar="IRI",
                       help="one named graph, by its IRI (as the dumps of /dumps/<name>.*)")
    e.add_argument("-o", "--output", help="write to this file instead of standard output")
    e.set_defaults(graphs=None)

    command("queries", "list the canned queries with their parameters")

    s = command("serve", "serve the SPARQL endpoint, the pages, the dumps and the dataset description")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=_port, default=8000, help="port to listen on")
    s.add_argument("--workers", type=int, help="server processes (0: one, with no query deadline; default: "
                   "the workers setting)")
    s.add_argument("--threads", type=int, help="requests one server process answers at once (default: the "
                   "threads setting)")
    s.add_argument("--engine", choices=list(ENGINES), help="query engine (default: the engine setting)")
    s.add_argument("--backend", metavar="URL", help="answer from this SPARQL 1.1 store's query endpoint, which "
                   "`s3graph publish` wrote this build into (default: the backend setting; empty: the embedded store)")

    p = command("publish", "write the built dataset (every named graph, the inferred one too) into an existing "
                "SPARQL 1.1 store with SPARQL Update, for `serve --backend`")
    p.add_argument("--to", metavar="URL", required=True, help="the store's SPARQL Update endpoint")
    p.add_argument("--query-url", metavar="URL", help="the store's query endpoint, to check what it holds "
                   "(default: the --to URL, as for Virtuoso and QLever)")
    p.add_argument("--user", help="user name (the password is read from the environment variable "
                   "S3GRAPH_BACKEND_PASSWORD; default: the backend_user setting)")
    p.add_argument("--auth", choices=["basic", "digest"], help="authentication scheme (default: the backend_auth "
                   "setting)")
    p.add_argument("--batch", type=int, default=20000, help="triples per INSERT DATA request")
    return top


COMMANDS = {"validate": cmd_validate, "stats": cmd_stats, "query": cmd_query,
            "export": cmd_export, "queries": cmd_queries, "serve": cmd_serve, "publish": cmd_publish}


def _port(text: str) -> int:
    """A TCP port number, else a usage error naming it."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return port


def _not_utf8(argv: Sequence[str]) -> str | None:
    """The first argument that is not valid UTF-8 (Python keeps such bytes as surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; expected failures print one line and exit non-zero."""
    bad = _not_utf8(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        shown = bad if len(bad) <= 60 else bad[:57] + "..."
        print(f"s3graph: error: an argument is not valid UTF-8: {shown!r}", file=sys.stderr)
        return 2
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except S3GraphError as exc:
        print(f"s3graph: error: {exc.message}", file=sys.stderr)
        return 1 if exc.code == Code.SHAPES_VIOLATED else 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
