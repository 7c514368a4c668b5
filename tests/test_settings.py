"""Settings: declared once, read from a TOML file and S3GRAPH_* variables, checked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from s3graph.errors import ConfigError
from s3graph.settings import DEFAULT_ALLOWLIST, SETTINGS, Settings, load_settings


def write_config(tmp_path: Path, text: str) -> str:
    """A TOML config file with `text`; returns its path."""
    path = tmp_path / "s3graph.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_without_file_or_environment() -> None:
    assert load_settings(environ={}) == Settings()
    assert Settings().federation_allowlist == DEFAULT_ALLOWLIST
    assert Settings().validate_on_build is True


def test_a_toml_file_sets_values_of_every_type(tmp_path: Path) -> None:
    config = write_config(tmp_path, """
data_dir = "/srv/s3/data"
workers = 4
query_timeout = 12.5
validate_on_build = false
federation_allowlist = ["https://query.wikidata.org/sparql"]
engine = "rdflib"
""")
    settings = load_settings(config, environ={})
    assert (settings.data_dir, settings.workers, settings.query_timeout, settings.validate_on_build,
            settings.federation_allowlist, settings.engine) == (
        "/srv/s3/data", 4, 12.5, False, ("https://query.wikidata.org/sparql",), "rdflib")
    assert settings.max_results == Settings().max_results  # untouched settings keep their default


def test_environment_variables_set_values_of_every_type() -> None:
    settings = load_settings(environ={
        "S3GRAPH_WORKERS": "3",
        "S3GRAPH_QUERY_TIMEOUT": "2.5",
        "S3GRAPH_VALIDATE_ON_BUILD": "no",
        "S3GRAPH_FEDERATION_ALLOWLIST": "https://a.example/sparql, https://b.example/sparql",
        "S3GRAPH_PUBLIC_URL": "https://s3graph.example",
    })
    assert (settings.workers, settings.query_timeout, settings.validate_on_build,
            settings.federation_allowlist, settings.public_url) == (
        3, 2.5, False, ("https://a.example/sparql", "https://b.example/sparql"), "https://s3graph.example")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'workers = 4\nengine = "rdflib"\n')
    settings = load_settings(config, environ={"S3GRAPH_WORKERS": "8"})
    assert (settings.workers, settings.engine) == (8, "rdflib")


def test_explicit_overrides_win_over_the_environment(tmp_path: Path) -> None:
    settings = load_settings(environ={"S3GRAPH_WORKERS": "8", "S3GRAPH_CACHE_DIR": "/env"},
                             workers=5, cache_dir=None)
    assert (settings.workers, settings.cache_dir) == (5, "/env")


def test_the_config_file_can_be_named_in_the_environment(tmp_path: Path) -> None:
    config = write_config(tmp_path, "max_results = 50\n")
    assert load_settings(environ={"S3GRAPH_CONFIG": config}).max_results == 50


def test_an_unknown_setting_in_the_file_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, "workerz = 4\n")
    with pytest.raises(ConfigError, match="unknown setting 'workerz'"):
        load_settings(config, environ={})


def test_a_missing_config_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_settings(str(missing), environ={})


def test_a_config_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, "workers = = 4\n")
    with pytest.raises(ConfigError, match=r"s3graph\.toml"):
        load_settings(config, environ={})


@pytest.mark.parametrize(("name", "value"), [
    ("WORKERS", "many"),
    ("WORKERS", "-1"),
    ("WORKERS", "2.5"),
    ("QUERY_TIMEOUT", "soon"),
    ("QUERY_TIMEOUT", "0"),
    ("MAX_RESULTS", "0"),
    ("VALIDATE_ON_BUILD", "maybe"),
    ("ENGINE", "virtuoso"),
    ("REASONER", "hermit"),
])
def test_a_bad_value_in_the_environment_is_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(environ={f"S3GRAPH_{name}": value})


@pytest.mark.parametrize("line", [
    'workers = "many"',
    "workers = -1",
    "workers = 2.5",
    "workers = true",
    'engine = "virtuoso"',
    'validate_on_build = "maybe"',
    "query_timeout = -1",
])
def test_a_bad_value_in_the_file_is_refused(tmp_path: Path, line: str) -> None:
    config = write_config(tmp_path, line + "\n")
    with pytest.raises(ConfigError):
        load_settings(config, environ={})


@pytest.mark.parametrize("name", [
    "max_query_length", "max_nesting_depth", "rate_limit_seconds", "rate_limit_errors", "rate_limit_window",
])
def test_a_negative_limit_is_refused(name: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(environ={f"S3GRAPH_{name.upper()}": "-1"})


def test_replace_converts_and_checks() -> None:
    assert Settings().replace(workers="6").workers == 6
    with pytest.raises(ConfigError):
        Settings().replace(engine="virtuoso")


def test_every_setting_is_documented_once() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    documented = [doc.name for doc in SETTINGS]
    assert set(documented) == fields
    assert len(documented) == len(fields)
    assert all(doc.help.strip() for doc in SETTINGS)


def test_every_setting_can_be_set_from_the_environment() -> None:
    for f in dataclasses.fields(Settings):
        default = getattr(Settings(), f.name)
        raw = ",".join(default) if isinstance(default, tuple) else str(default)
        assert getattr(load_settings(environ={f"S3GRAPH_{f.name.upper()}": raw}), f.name) == default


# --- where a server process reads the store from --------------------------------------------

@pytest.mark.parametrize(("value", "triples", "expected"), [
    ("auto", 28_000, True), ("auto", 3_000_000, True), ("auto", 3_000_001, False),
    ("true", 50_000_000, True), ("false", 1, False),
])
def test_store_in_memory_auto_keeps_small_builds_in_memory(value: str, triples: int, expected: bool) -> None:
    assert load_settings(environ={"S3GRAPH_STORE_IN_MEMORY": value}).keeps_in_memory(triples) is expected


def test_store_in_memory_takes_only_auto_true_or_false() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"S3GRAPH_STORE_IN_MEMORY": "ram"})
    assert caught.value.message == "setting store_in_memory: 'ram' is not one of auto, true, false"
