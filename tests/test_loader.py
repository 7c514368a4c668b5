"""Loading refuses bad input with a message naming the file and line; builds are cached."""

from __future__ import annotations

import dataclasses
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from s3graph.build import store
from s3graph.build.loader import discover, graph_iri
from s3graph.build.pipeline import build
from s3graph.build.store import BuiltGraph
from s3graph.errors import DataError
from s3graph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://w3id.org/s3graph/"


def insert_line(path: Path, number: int, text: str) -> None:
    """Insert `text` into the file so that it becomes line `number`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(number - 1, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def settings_for(data: Path, tmp_path: Path, **changes: Any) -> Settings:
    """Settings for a data folder, with a fresh cache of its own."""
    return dataclasses.replace(Settings(data_dir=str(data), cache_dir=str(tmp_path / "cache")), **changes)


@pytest.fixture()
def small_data(data_copy: Path) -> Path:
    """A copy of the data cut down to two small files: quick to build, valid."""
    for path in data_copy.iterdir():
        if path.name not in ("sources.ttl", "vocabularies.ttl"):
            path.unlink()
    return data_copy


# --- Broken Turtle -------------------------------------------------------------------------

def test_broken_turtle_names_the_file_and_line(data_copy: Path, tmp_path: Path) -> None:
    broken = data_copy / "wikidata.ttl"
    insert_line(broken, 30, 'territory:SE110 s3:isoCode "SE-AB .')
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert caught.value.path == str(broken)
    assert caught.value.line == 30
    assert caught.value.message.startswith(f"{broken}:30: ")


def test_broken_turtle_deep_in_a_large_file_names_the_right_line(data_copy: Path, tmp_path: Path) -> None:
    broken = data_copy / "sweden.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    number = next(i for i in range(250, len(lines)) if not lines[i - 1].strip())  # a blank line
    insert_line(broken, number, "collab:broken a s3:Project ; rdfs:label ;")
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert (caught.value.path, caught.value.line) == (str(broken), number)
    assert f"{broken}:{number}: " in str(caught.value)


def test_unknown_prefix_names_the_file_line_and_prefix(data_copy: Path, tmp_path: Path) -> None:
    broken = data_copy / "wikidata.ttl"
    insert_line(broken, 30, "nope:thing a s3:County .")
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert caught.value.message.startswith(f"{broken}:30: ")
    assert "nope:" in caught.value.message


def test_syntax_error_column_lies_on_the_reported_line(data_copy: Path, tmp_path: Path) -> None:
    bad = "nope:thing a s3:County ."
    broken = data_copy / "wikidata.ttl"
    insert_line(broken, 30, bad)
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    match = re.search(r":30: column (\d+):", caught.value.message)
    assert match is not None, caught.value.message
    assert 1 <= int(match.group(1)) <= len(bad)


def test_an_iri_with_a_space_is_a_data_error_naming_the_file(small_data: Path, tmp_path: Path) -> None:
    broken = small_data / "sources.ttl"
    insert_line(broken, 15, "<https://w3id.org/s3graph/id/bad iri> rdfs:label \"bad\"@en .")  # after the prefixes
    with pytest.raises(DataError) as caught:
        build(settings_for(small_data, tmp_path))
    assert str(broken) in caught.value.message


def test_broken_rdf_xml_names_the_file_and_line(data_copy: Path, tmp_path: Path) -> None:
    broken = data_copy / "extra.rdf"
    broken.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="http://example.org/a">\n'
        '  </rdf:Descr>\n'
        '</rdf:RDF>\n', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert (caught.value.path, caught.value.line) == (str(broken), 4)
    assert caught.value.message.startswith(f"{broken}:4: ")


# --- Missing files and refused input -------------------------------------------------------

def test_missing_data_folder_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data"
    with pytest.raises(DataError) as caught:
        build(settings_for(missing, tmp_path))
    assert caught.value.path == str(missing)
    assert str(missing) in caught.value.message
    assert "data folder not found" in caught.value.message


def test_missing_ontology_names_the_path(data_copy: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ontology.ttl"
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path, ontology_path=str(missing)))
    assert caught.value.path == str(missing)
    assert caught.value.message == f"{missing}: file not found"


def test_missing_shapes_file_names_the_path(data_copy: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-shapes.ttl"
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path, shapes_path=str(missing)))
    assert caught.value.message == f"{missing}: file not found"


def test_a_data_folder_without_data_files_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not data", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(empty, tmp_path))
    assert caught.value.path == str(empty)


@pytest.mark.parametrize("name", ["ontology.ttl", "inferred.ttl"])
def test_a_data_file_may_not_take_a_reserved_graph_name(data_copy: Path, tmp_path: Path, name: str) -> None:
    taken = data_copy / name
    taken.write_text("", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert caught.value.path == str(taken)


DOCTYPE_RDF = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="&ex;a"><rdfs:label>A</rdfs:label></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("name", ["extra.rdf", "extra.owl"])
def test_rdf_xml_with_a_doctype_is_refused(data_copy: Path, tmp_path: Path, name: str) -> None:
    evil = data_copy / name
    evil.write_text(DOCTYPE_RDF, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        build(settings_for(data_copy, tmp_path))
    assert caught.value.path == str(evil)
    assert "DOCTYPE" in caught.value.message


# --- Named graphs --------------------------------------------------------------------------

def test_each_data_file_loads_into_the_graph_named_after_it() -> None:
    files = discover(str(ROOT / "ontology" / "s3.ttl"), str(ROOT / "data"), BASE)
    assert [(Path(f.path).name, f.graph, f.role) for f in files[:3]] == [
        ("s3.ttl", BASE + "graph/ontology", "ontology"),
        ("adma-swedish-material.ttl", BASE + "graph/adma-swedish-material", "data"),
        ("authorities.ttl", BASE + "graph/authorities", "data"),
    ]
    assert len(files) == 21  # the ontology and the 20 data files
    assert [(f.graph, f.role) for f in files[1:]] == [
        (BASE + "graph/" + path.stem, "data") for path in sorted((ROOT / "data").glob("*.ttl"))]
    assert graph_iri(BASE, "inferred") == "https://w3id.org/s3graph/graph/inferred"


# --- The build cache -----------------------------------------------------------------------

def test_the_second_build_of_the_same_inputs_comes_from_the_cache(small_data: Path, tmp_path: Path) -> None:
    settings = settings_for(small_data, tmp_path)
    first = build(settings)
    second = build(settings)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.key == first.key
    assert second.graphs == first.graphs


def test_changing_a_data_file_changes_the_cache_key(small_data: Path, tmp_path: Path) -> None:
    settings = settings_for(small_data, tmp_path)
    first = build(settings)
    with (small_data / "vocabularies.ttl").open("a", encoding="utf-8") as handle:
        handle.write('\ntopic:smart-specialisation skos:altLabel "S3"@en .\n')
    changed = build(settings)
    assert changed.from_cache is False
    assert changed.key != first.key
    assert build(settings).from_cache is True


def test_changing_the_reasoners_code_changes_the_cache_key(small_data: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The inferred graph depends on the reasoner's code, which a checkout changes without a
    # new package version: a cached build made by other code is not reused.
    settings = settings_for(small_data, tmp_path)
    first = build(settings)
    monkeypatch.setattr(store, "reasoner_code", lambda: "other code")
    changed = build(settings)
    assert changed.from_cache is False and changed.key != first.key


def _count(built: BuiltGraph) -> int:
    return len(ox.Store.read_only(built.store_path))


@pytest.mark.parametrize("damage", ["truncate the dump", "empty the dump", "garble the dump", "garble meta.json",
                                    "delete meta.json", "delete the store", "empty the entry"])
def test_a_damaged_cache_entry_is_rebuilt_and_logged_never_served(
        small_data: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(small_data, tmp_path)
    first = build(settings)
    entry = Path(first.directory)
    quads = _count(first)
    dump = entry / "dataset.nq"
    if damage == "truncate the dump":
        dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    elif damage == "empty the dump":
        dump.write_bytes(b"")
    elif damage == "garble the dump":
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0x20
        dump.write_bytes(bytes(data))
    elif damage == "garble meta.json":
        (entry / "meta.json").write_text("{not json", encoding="utf-8")
    elif damage == "delete meta.json":
        (entry / "meta.json").unlink()
    elif damage == "delete the store":
        shutil.rmtree(entry / "oxigraph")
    else:
        for child in entry.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    with caplog.at_level(logging.WARNING, logger="s3graph.build"):
        again = build(settings)
    assert again.from_cache is False and again.key == first.key and again.directory == first.directory
    assert _count(again) == quads and again.graphs == first.graphs
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert messages[0].startswith(f"cache entry {entry} is damaged (") and messages[0].endswith("); rebuilding it")
    assert build(settings).from_cache is True  # the rebuilt entry is trusted again
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # nothing left aside


def test_the_damage_is_named(small_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(small_data, tmp_path)
    dump = Path(build(settings).directory) / "dataset.nq"
    size = dump.stat().st_size
    dump.write_bytes(dump.read_bytes()[:10])
    with caplog.at_level(logging.WARNING, logger="s3graph.build"):
        build(settings)
    assert f"(dataset.nq has 10 bytes, {size} were written)" in caplog.records[0].getMessage()
