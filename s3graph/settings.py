"""Every setting, declared once (type, default, help, check); read from a file and the environment.

A setting is one field of `Settings`: its annotation is the type, and `setting(...)` gives
the default, the help text, how the README shows the default and the check a value must
pass. `SETTINGS` lists them in order; the README's table is tested against it.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "S3GRAPH_"

#: `store_in_memory=auto` keeps builds of up to this many named-graph triples in memory: at 10^6
#: asserted triples (2.9·10^6 with the inferred ones) a copy is about 1.8 GiB per process
#: (bench/canned.py): two processes just inside the 4 GiB of the EU-scale target.
IN_MEMORY_AUTO = 3_000_000

DEFAULT_ALLOWLIST = (
    "https://query.wikidata.org/sparql",
    "https://publications.europa.eu/webapi/rdf/sparql",
)

Check = Callable[[str, Any], None]


def positive(name: str, value: Any) -> None:
    """A number above zero."""
    if value <= 0:
        raise ConfigError(f"setting {name} must be positive, not {value}")


def at_least(low: int) -> Check:
    """A number of `low` or more."""
    def check(name: str, value: Any) -> None:
        if value < low:
            raise ConfigError(f"setting {name} must be {low} or more, not {value}")
    return check


def one_of(registry: Callable[[], Mapping[str, Any]]) -> Check:
    """A name from a registry (looked up when a value is checked: importing the settings
    loads no engine and no reasoner)."""
    def check(name: str, value: Any) -> None:
        choices = registry()
        if value not in choices:
            raise ConfigError(f"setting {name}: {value!r} is not one of {', '.join(choices)}")
    return check


def _engines() -> Mapping[str, Any]:
    from .query.engines import ENGINES  # the registries sit above the settings

    return ENGINES


def _reasoners() -> Mapping[str, Any]:
    from .build.reasoners import REASONERS

    return REASONERS


def setting(default: Any, help: str, *, shown: str | None = None, check: Check | None = None) -> Any:
    """Declare a setting: its default, help text, the default as the README shows it, a check."""
    return field(default=default, metadata={"help": help, "shown": shown, "check": check})


@dataclass(frozen=True)
class Settings:
    """The settings of one s3graph instance; empty paths stand for the bundled files."""

    data_dir: str = setting("", "Folder of data files (*.ttl), each loaded into its own named graph.",
                            shown="the bundled `data/`")
    ontology_path: str = setting("", "The OWL ontology (Turtle).", shown="the bundled `ontology/s3.ttl`")
    shapes_path: str = setting("", "The SHACL shapes the data must satisfy.", shown="the bundled `ontology/shapes.ttl`")
    queries_dir: str = setting("", "Folder of canned queries (*.rq).", shown="the bundled `queries/`")
    cache_dir: str = setting("", "Where the built graph and its inference are cached, keyed by a hash of the inputs.",
                             shown="`$XDG_CACHE_HOME/s3graph` or `~/.cache/s3graph`")
    base_iri: str = setting("https://w3id.org/s3graph/", "The base of every resource IRI in the data.")
    public_url: str = setting("http://127.0.0.1:8000", "The URL the service is reached at from outside (used in the service description and links).",
                              shown="`http://HOST:PORT` of `serve`")
    engine: str = setting("oxigraph", "Query engine: oxigraph (fast, default) or rdflib (for cross-checking).",
                          check=one_of(_engines))
    store_in_memory: str = setting("auto", "Where each server process reads the built dataset from: true loads a copy into its own memory (most queries 1.5 to 6 times faster; every process holds one, about 1.8 GiB at 10^6 asserted triples), false opens the built on-disk store read-only, one store shared by every process through the page cache; auto is true up to 3,000,000 triples in the named graphs (about 10^6 asserted, with what inference adds) and false above.",
                                   check=one_of(lambda: {"auto": 1, "true": 1, "false": 1}))
    workers: int = setting(2, "Server processes of `s3graph serve`, each answering HTTP and running queries with a hard deadline (one that overruns is replaced); 0 runs one process with no deadline (tests, benchmarks).",
                           check=at_least(0))
    threads: int = setting(4, "Requests one server process answers at once (each connection has a thread of its own; the others wait for a turn).", check=at_least(1))
    memory_limit_mb: int = setting(0, "Resident memory one server process may use, in MB; the query that takes it past that gets 503 and the process is replaced. 0: the machine's memory divided by twice the number of processes.",
                                   check=at_least(0))
    connection_limit: int = setting(1000, "Open connections one server process takes; past that, new ones wait in the listening queue.",
                                    check=at_least(1))
    idle_timeout: int = setting(30, "Seconds a connection may stay idle (no request, nothing sent) before it is closed.",
                                check=at_least(1))
    request_read_timeout: int = setting(20, "Seconds a client may take to send one request (headers and body) from its first byte; a slower one is disconnected (slowloris).",
                                        check=at_least(1))
    query_timeout: float = setting(30.0, "Seconds a query may run; past that the client gets 503 and the process running it is replaced.",
                                   check=positive)
    max_query_length: int = setting(65536, "Longest query text accepted, in bytes (UTF-8).", check=positive)
    max_nesting_depth: int = setting(64, "Deepest nesting of groups, sub-queries and brackets accepted in a query.",
                                     check=positive)
    max_results: int = setting(10000, "Most result rows (or triples) returned; longer results are cut and marked truncated.",
                               check=positive)
    max_response_bytes: int = setting(32 << 20, "Longest response body, in bytes; a longer result is cut to fewer rows (or triples) and marked truncated.",
                                      check=positive)
    result_cache_mb: int = setting(64, "Memory each server process keeps answers in, in MB, twice: query results, and whole HTTP answers to repeated requests (the same query on the same build has the same answer); 0 keeps none.",
                                   check=at_least(0))
    federation_allowlist: tuple[str, ...] = setting(DEFAULT_ALLOWLIST, "SERVICE endpoints a query may call (comma-separated in the environment); any other SERVICE is refused.",
                                                    shown="`" + ", ".join(DEFAULT_ALLOWLIST) + "`")
    rate_limit_seconds: float = setting(60.0, "Query time, in seconds, one client may use per rate-limit window.",
                                        check=positive)
    rate_limit_errors: int = setting(60, "Failed requests one client may make per rate-limit window.", check=positive)
    rate_limit_window: float = setting(60.0, "Length of the rate-limit window, in seconds.", check=positive)
    reasoner: str = setting("rules", "rules computes the OWL-RL closure of the axioms the ontology uses, compiled into rules (the same triples as owlrl, over 200 times faster; an axiom it does not implement makes it use owlrl, logged); owlrl computes it with owlrl; none leaves the inferred graph empty (for benchmarks).",
                            check=one_of(_reasoners))
    backend: str = setting("", "The query endpoint of an existing SPARQL 1.1 store that `s3graph publish` wrote this build into; queries, canned queries and pages are answered from it. Empty: the embedded store.",
                           shown="empty (the embedded store)")
    backend_user: str = setting("", "User name for the backend store (its password is read from the environment variable S3GRAPH_BACKEND_PASSWORD only); empty: no authentication.",
                                shown="empty")
    backend_auth: str = setting("basic", "How to authenticate to the backend store: basic or digest.", check=one_of(lambda: {"basic": 1, "digest": 1}))
    validate_on_build: bool = setting(True, "Check the data against the SHACL shapes when the graph is built (refuse to serve data that violates them).")

    def __post_init__(self) -> None:
        # The one place where the defaults of the paths are filled in.
        root = bundled_root()
        defaults = {
            "data_dir": root / "data",
            "ontology_path": root / "ontology" / "s3.ttl",
            "shapes_path": root / "ontology" / "shapes.ttl",
            "queries_dir": root / "queries",
            "cache_dir": Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "s3graph",
        }
        for name, path in defaults.items():
            if not getattr(self, name):
                object.__setattr__(self, name, str(path))

    def keeps_in_memory(self, triples: int) -> bool:
        """Whether a server process loads a build of `triples` (named graphs) into memory."""
        if self.store_in_memory == "auto":
            return triples <= IN_MEMORY_AUTO
        return self.store_in_memory == "true"

    def memory_limit_bytes(self) -> int:
        """The memory ceiling of one server process, in bytes (the default shares the machine's)."""
        if self.memory_limit_mb:
            return self.memory_limit_mb << 20
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return int(total // (2 * max(1, self.workers)))

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (values are converted and checked)."""
        return from_mapping({**dataclasses.asdict(self), **changes})


@dataclass(frozen=True)
class SettingDoc:
    """One setting as documented: name, environment variable, type, default, help."""

    name: str
    env: str
    type: str
    default: Any
    shown: str
    help: str
    check: Check | None


def _doc(f: dataclasses.Field[Any]) -> SettingDoc:
    default = f.default
    shown = f.metadata["shown"] or (f"`{str(default).lower()}`" if isinstance(default, bool) else f"`{default}`")
    return SettingDoc(f.name, ENV_PREFIX + f.name.upper(), str(f.type), default, shown, f.metadata["help"],
                      f.metadata["check"])


#: Every setting, in declaration order.
SETTINGS: tuple[SettingDoc, ...] = tuple(_doc(f) for f in dataclasses.fields(Settings))


def _convert(name: str, value: Any, kind: str) -> Any:
    """Convert one raw value (from a file or the environment) to the declared type."""
    try:
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind == "tuple[str, ...]":
            if isinstance(value, str):
                return tuple(item.strip() for item in value.split(",") if item.strip())
            return tuple(str(item) for item in value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: cannot use {value!r} ({kind})") from None


def from_mapping(values: Mapping[str, Any]) -> Settings:
    """Build Settings from a mapping of names to raw values; unknown names and bad values are errors."""
    docs = {doc.name: doc for doc in SETTINGS}
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name not in docs:
            raise ConfigError(f"unknown setting {name!r}")
        converted[name] = _convert(name, value, docs[name].type)
    settings = Settings(**converted)
    for doc in SETTINGS:
        if doc.check is not None:
            doc.check(doc.name, getattr(settings, doc.name))
    return settings


def load_settings(config_file: str | None = None, environ: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Settings from defaults, then a TOML config file, then S3GRAPH_* variables, then overrides."""
    values: dict[str, Any] = {}
    env = os.environ if environ is None else environ
    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        try:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle))
        except OSError as exc:
            raise ConfigError(f"config file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    for doc in SETTINGS:
        if doc.env in env:
            values[doc.name] = env[doc.env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return from_mapping(values)


def bundled_root() -> Path:
    """The folder that holds the bundled ontology/, data/ and queries/."""
    here = Path(__file__).resolve().parent
    packaged = here / "bundled"
    return packaged if (packaged / "ontology").is_dir() else here.parent
