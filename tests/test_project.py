"""Project-level promises: the README's quick start and settings table, the layering."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from s3graph.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "s3graph serve" in commands[0] and "pip install" in commands[0]
    assert commands[1] == "bash tests/run"
    run = (ROOT / "tests" / "run").read_text(encoding="utf-8")
    assert run.rstrip().endswith('.venv/bin/python -m pytest -n 2 "$@"')


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nbash tests/run\n" in ci


def test_every_setting_is_declared_and_in_the_readme_table() -> None:
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert [s.name for s in SETTINGS] == fields
    section = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    assert table == [f"| `{s.name}` | `{s.env}` | {s.shown} | {s.help} |" for s in SETTINGS]


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (found on disk, not listed by hand)."""
    found = {}
    for path in sorted((ROOT / "s3graph").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(modules of the package, top-level outside packages) that a module imports at module level."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside, outside = set(), set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in modules:
                inside.add(target)
            elif not target.startswith("s3graph"):
                outside.add(target.split(".")[0])
    inside.discard(name)
    return inside, outside


#: Which parts of the package each part may import (besides itself and the shared base:
#: errors, terms, registry, results, settings).
ALLOWED = {
    "base": set(),
    "build": set(),
    "formats": set(),
    "query": {"build", "formats"},
    "remote": {"build", "query", "formats"},
    "service": {"build", "query", "formats", "remote"},
    "web": {"build", "query", "formats", "service"},
    "server": {"build", "query", "formats", "remote", "service", "web"},
    "cli": {"build", "query", "formats", "remote", "service", "server"},
}
#: The only parts that may import a web framework or server.
FRAMEWORKS = {"flask": {"web"}, "werkzeug": {"web"}, "jinja2": {"web"}, "httptools": {"server"}}


def _part(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in ("errors", "terms", "registry", "results", "settings"):
        return "base"
    return parts[1]


def test_the_layers_import_only_downwards_with_no_circle_and_frameworks_only_at_the_edge() -> None:
    modules = _modules()
    assert len(modules) > 30 and "s3graph.web.front" in modules and "s3graph.query.guard" in modules
    graph = {}
    for name, path in modules.items():
        inside, outside = _imports(name, path, modules)
        graph[name] = inside
        for target in inside:
            assert _part(target) in ALLOWED[_part(name)] | {_part(name), "base"}, (name, target)
        for framework, parts in FRAMEWORKS.items():
            assert framework not in outside or _part(name) in parts, (name, framework)
    # no circle: a depth-first walk never meets a module it is still inside
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            assert state.get(target) != "open", " -> ".join([*trail, name, target])
            if target not in state:
                visit(target, [*trail, name])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_importing_the_package_builds_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "; ".join(f"import {name}" for name in _modules())
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, check=True)
    assert (out.stdout, out.stderr) == ("", "")
    assert list(tmp_path.iterdir()) == []  # no cache folder, no graph, no file written


def test_the_readme_query_of_where_each_graph_comes_from_lists_graphs_only(engine, asserted) -> None:  # type: ignore[no-untyped-def]
    from .helpers import PREFIXES, rows

    section = re.split(r"Each\s+graph\s+says\s+where\s+it\s+comes\s+from", README, maxsplit=1)[1]
    block = re.search(r"```sparql\n(.*?)```", section, re.DOTALL)
    assert block is not None
    found = rows(engine, asserted, PREFIXES + block.group(1))
    graphs = {row[0] for row in found}
    assert all(g is not None and g.startswith("https://w3id.org/s3graph/graph/") for g in graphs)
    pairs = rows(engine, asserted, PREFIXES + "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?s } "
                 "?s s3:retrievedOn ?r }")
    assert sorted((r[0], r[1]) for r in found) == sorted((p[0], p[1]) for p in pairs)
    # one row per data graph and source it is derived from (the sources graph names none): each
    # source's graph has its one source; the claims graph has every source its claims cite
    expected = {graph: [source] for graph, source in GRAPH_SOURCES} | {"claims": CLAIMS_SOURCES}
    assert [(r[0], r[1]) for r in found] == sorted(
        (f"https://w3id.org/s3graph/graph/{graph}", f"https://w3id.org/s3graph/id/source/{source}")
        for graph, sources in expected.items() for source in sources)
    assert len(found) == 32


#: Each data graph but claims and sources, and the one source it is derived from (data/*.ttl).
GRAPH_SOURCES = [
    ("adma-swedish-material", "adma-swedish-material"), ("authorities", "regional-authority-names"),
    ("bsr-stars-earlier-text", "bsr-stars-earlier-text"), ("editorial", "s3graph-editorial"),
    ("eu-country-authority", "eu-country-authority"), ("industrial-transition-pilot", "ec-industrial-transition-pilot"),
    ("interreg-bsr", "interreg-bsr-projects"), ("interreg-europe", "interreg-europe-projects"),
    ("iso-3166", "iso-3166-2-se"), ("lars-alternative-dates", "lars-alternative-dates"), ("nuts", "nuts-2021"),
    ("s3-agrifood-consumer-involvement", "s3-agrifood-consumer-involvement"),
    ("sweden", "smart-specialisation-sweden"), ("thematic-platforms", "s3-thematic-platforms"),
    ("vanguard", "vanguard-initiative"), ("vanguard-nano-news", "vanguard-nano-news"),
    ("vocabularies", "s3graph-editorial"), ("wikidata", "wikidata"),
]
#: The sources the claims graph is derived from (data/claims.ttl).
CLAIMS_SOURCES = [
    "authority-own-sites", "bsr-stars-earlier-text", "ec-industrial-transition-pilot",
    "interreg-bsr-projects", "interreg-europe-projects", "lars-alternative-dates", "press-naming-authorities",
    "regional-authority-names", "s3-agrifood-consumer-involvement", "s3-thematic-platforms",
    "smart-specialisation-sweden", "vanguard-initiative", "vanguard-nano-news", "wikidata",
]
