"""Every setting, declared once with its default and help; read from a file and the environment."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_PREFIX = "S3GRAPH_"

DEFAULT_ALLOWLIST = (
    "https://query.wikidata.org/sparql",
    "https://publications.europa.eu/webapi/rdf/sparql",
)


@dataclass(frozen=True)
class Settings:
    """The settings of one s3graph instance (see SETTINGS for what each means)."""

    data_dir: str = ""
    ontology_path: str = ""
    shapes_path: str = ""
    queries_dir: str = ""
    cache_dir: str = ""
    base_iri: str = "https://w3id.org/s3graph/"
    public_url: str = "http://127.0.0.1:8000"
    engine: str = "oxigraph"
    workers: int = 2
    threads: int = 4
    query_timeout: float = 30.0
    max_query_length: int = 65536
    max_nesting_depth: int = 64
    max_results: int = 10000
    federation_allowlist: tuple[str, ...] = field(default=DEFAULT_ALLOWLIST)
    rate_limit_seconds: float = 60.0
    rate_limit_errors: int = 60
    rate_limit_window: float = 60.0
    reasoner: str = "owlrl"
    validate_on_build: bool = True

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (values are converted and checked)."""
        return from_mapping({**dataclasses.asdict(self), **changes})


@dataclass(frozen=True)
class SettingDoc:
    """The documentation of one setting: its name and what it does."""

    name: str
    help: str


SETTINGS: tuple[SettingDoc, ...] = (
    SettingDoc("data_dir", "Folder of data files (*.ttl), each loaded into its own named graph. Default: the bundled data/."),
    SettingDoc("ontology_path", "The OWL ontology (Turtle). Default: the bundled ontology/s3.ttl."),
    SettingDoc("shapes_path", "The SHACL shapes the data must satisfy. Default: the bundled ontology/shapes.ttl."),
    SettingDoc("queries_dir", "Folder of canned queries (*.rq). Default: the bundled queries/."),
    SettingDoc("cache_dir", "Where the built graph and its inference are cached, keyed by a hash of the inputs. Default: $XDG_CACHE_HOME/s3graph or ~/.cache/s3graph."),
    SettingDoc("base_iri", "The base of every resource IRI in the data."),
    SettingDoc("public_url", "The URL the service is reached at from outside (used in the service description and links)."),
    SettingDoc("engine", "Query engine: oxigraph (fast, default) or rdflib (for cross-checking)."),
    SettingDoc("workers", "Server processes of `s3graph serve`, each answering HTTP and running queries with a hard deadline (one that overruns is replaced); 0 runs one process with no deadline (tests, benchmarks)."),
    SettingDoc("threads", "HTTP threads per server process."),
    SettingDoc("query_timeout", "Seconds a query may run; past that the client gets 503 and the process running it is replaced."),
    SettingDoc("max_query_length", "Longest query text accepted, in bytes (UTF-8)."),
    SettingDoc("max_nesting_depth", "Deepest nesting of groups, sub-queries and brackets accepted in a query."),
    SettingDoc("max_results", "Most result rows (or triples) returned; longer results are cut and marked truncated."),
    SettingDoc("federation_allowlist", "SERVICE endpoints a query may call (comma-separated in the environment); any other SERVICE is refused."),
    SettingDoc("rate_limit_seconds", "Query time, in seconds, one client may use per rate-limit window."),
    SettingDoc("rate_limit_errors", "Failed requests one client may make per rate-limit window."),
    SettingDoc("rate_limit_window", "Length of the rate-limit window, in seconds."),
    SettingDoc("reasoner", "owlrl computes the OWL-RL closure into the inferred graph; none leaves that graph empty (for benchmarks and data too large for owlrl)."),
    SettingDoc("validate_on_build", "Check the data against the SHACL shapes when the graph is built (refuse to serve data that violates them)."),
)


def _convert(name: str, value: Any, kind: Any) -> Any:
    """Convert one raw value (from a file or the environment) to the declared type."""
    try:
        if kind in (int, "int"):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind in (float, "float"):
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind in (bool, "bool"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind in ("tuple[str, ...]",):
            if isinstance(value, str):
                return tuple(item.strip() for item in value.split(",") if item.strip())
            return tuple(str(item) for item in value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name}: cannot use {value!r} ({kind})") from None


def from_mapping(values: Mapping[str, Any]) -> Settings:
    """Build Settings from a mapping of names to raw values; unknown names are an error."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name not in fields:
            raise ConfigError(f"unknown setting {name!r}")
        converted[name] = _convert(name, value, fields[name].type)
    settings = Settings(**converted)
    if settings.reasoner not in ("owlrl", "none"):
        raise ConfigError(f"setting reasoner: {settings.reasoner!r} is not owlrl or none")
    if settings.engine not in ("oxigraph", "rdflib"):
        raise ConfigError(f"setting engine: {settings.engine!r} is not oxigraph or rdflib")
    for name in ("max_results", "query_timeout", "max_query_length", "max_nesting_depth",
                 "rate_limit_seconds", "rate_limit_errors", "rate_limit_window"):
        if getattr(settings, name) <= 0:
            raise ConfigError(f"setting {name} must be positive, not {getattr(settings, name)}")
    if settings.threads < 1:
        raise ConfigError(f"setting threads must be 1 or more, not {settings.threads}")
    if settings.workers < 0:
        raise ConfigError(f"setting workers must be 0 or more, not {settings.workers}")
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
    for f in dataclasses.fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env:
            values[f.name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return from_mapping(values)


def bundled_root() -> Path:
    """The folder that holds the bundled ontology/, data/ and queries/."""
    here = Path(__file__).resolve().parent
    packaged = here / "bundled"
    return packaged if (packaged / "ontology").is_dir() else here.parent


def resolve_paths(settings: Settings) -> Settings:
    """Fill in the default locations of the bundled files and of the cache."""
    root = bundled_root()
    cache = settings.cache_dir or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "s3graph")
    return dataclasses.replace(
        settings,
        data_dir=settings.data_dir or str(root / "data"),
        ontology_path=settings.ontology_path or str(root / "ontology" / "s3.ttl"),
        shapes_path=settings.shapes_path or str(root / "ontology" / "shapes.ttl"),
        queries_dir=settings.queries_dir or str(root / "queries"),
        cache_dir=cache,
    )
