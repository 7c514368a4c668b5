"""Project-level promises: the README's quick start and settings table, the layering."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from s3graph.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CORE = ("loader", "validation", "inference", "build", "engine", "renderers", "negotiation", "guard",
        "workers", "ratelimit", "protocol", "catalog", "description", "regions", "terms", "errors",
        "settings", "stats", "exporting")


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "s3graph serve" in commands[0] and "pip install" in commands[0]
    assert commands[1] == ".venv/bin/python -m pytest"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in ci


def test_every_setting_is_declared_and_in_the_readme_table() -> None:
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert [s.name for s in SETTINGS] == fields
    for name in fields:
        assert f"| `{name}` | `S3GRAPH_{name.upper()}` |" in README, name


def test_the_core_never_imports_flask_or_the_web_layer() -> None:
    for name in CORE:
        tree = ast.parse((ROOT / "s3graph" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m.split(".")[0] in ("flask", "werkzeug", "waitress")}, name
        assert not {m for m in imported if m.lstrip(".") in ("web", "canned_views", "server", "cli")}, name


def test_importing_the_package_builds_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import s3graph.web, s3graph.cli, s3graph.build, s3graph.canned_views"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, check=True)
    assert (out.stdout, out.stderr) == ("", "")
    assert list(tmp_path.iterdir()) == []  # no cache folder, no graph, no file written
