"""SHACL validation: the bundled data conforms; broken copies are reported and refused."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from s3graph.build.loader import SourceFile, discover, load, parse_file
from s3graph.build.pipeline import build, check_shapes
from s3graph.build.validation import Violation, validate, validate_with_pyshacl
from s3graph.errors import ValidationFailed
from s3graph.settings import Settings

TERRITORY = "https://w3id.org/s3graph/id/territory/"
PART = "https://w3id.org/s3graph/id/participation/"
CLAIM = "https://w3id.org/s3graph/id/claim/"
S3 = "https://w3id.org/s3graph/ontology#"

COUNTY_CODE = "A county has exactly one NUTS-3 code of the form SE followed by three digits."
COUNTY_CONCEPT = "A county links to exactly one NUTS concept IRI, http://data.europa.eu/nuts/code/SE###."
PARTICIPATION_SOURCE = "A participation cites at least one source."


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the file by `new`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def settings_for(data: Path, tmp_path: Path) -> Settings:
    """Settings for a data folder, with a fresh cache of its own."""
    return Settings(data_dir=str(data), cache_dir=str(tmp_path / "cache"))


def break_county_code(data: Path) -> None:
    """Give Dalarna county the NUTS code SE31X."""
    edit(data / "nuts.ttl", 's3:nutsCode "SE312"', 's3:nutsCode "SE31X"')


def drop_county_concept(data: Path) -> None:
    """Remove Dalarna county's link to its NUTS concept."""
    edit(data / "nuts.ttl", "s3:country territory:SE ;\n    s3:nutsConcept nuts:SE312 .",
         "s3:country territory:SE .")


def drop_participation_source(data: Path) -> None:
    """Remove the only dcterms:source of LARS's lead-partner participation."""
    edit(data / "interreg-bsr.ttl",
         "org:organization collab:lars ; org:role role:lead-partner ;\n"
         "    dcterms:source src:interreg-bsr-projects .",
         "org:organization collab:lars ; org:role role:lead-partner .")


def test_the_bundled_data_conforms(settings: Settings) -> None:
    report = check_shapes(settings)
    assert report.conforms is True
    assert report.violations == ()
    assert report.text() == "The data conforms to the shapes."


def test_an_unchanged_copy_conforms(data_copy: Path, tmp_path: Path) -> None:
    assert check_shapes(settings_for(data_copy, tmp_path)).conforms is True


@pytest.mark.parametrize(("damage", "expected"), [
    (break_county_code, Violation(f"<{TERRITORY}SE312>", f"<{S3}nutsCode>", COUNTY_CODE, "Violation")),
    (drop_county_concept, Violation(f"<{TERRITORY}SE312>", f"<{S3}nutsConcept>", COUNTY_CONCEPT, "Violation")),
    (drop_participation_source, Violation(f"<{PART}lars-lead>", "<http://purl.org/dc/terms/source>",
                                          PARTICIPATION_SOURCE, "Violation")),
], ids=["county-code-SE31X", "county-without-nuts-concept", "participation-without-source"])
def test_broken_data_is_reported_with_focus_node_and_message(
        data_copy: Path, tmp_path: Path, damage: Callable[[Path], None], expected: Violation) -> None:
    damage(data_copy)
    report = check_shapes(settings_for(data_copy, tmp_path))
    assert report.conforms is False
    assert report.violations == (expected,)
    assert report.text() == (f"1 violation(s) of the shapes:\n"
                             f"  Violation: {expected.focus} (path {expected.path}): {expected.message}")


@pytest.mark.parametrize("damage", [break_county_code, drop_county_concept, drop_participation_source],
                         ids=["county-code-SE31X", "county-without-nuts-concept", "participation-without-source"])
def test_building_broken_data_raises_validation_failed(
        data_copy: Path, tmp_path: Path, damage: Callable[[Path], None]) -> None:
    damage(data_copy)
    with pytest.raises(ValidationFailed) as caught:
        build(settings_for(data_copy, tmp_path))
    assert caught.value.code == "shapes-violated"
    assert caught.value.message.startswith("1 violation(s) of the shapes:")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_a_contradicted_claim_must_cite_the_contradicting_source(data_copy: Path, tmp_path: Path) -> None:
    edit(data_copy / "claims.ttl", "    s3:contradictedBy src:lars-alternative-dates ;\n", "")
    report = check_shapes(settings_for(data_copy, tmp_path))
    assert report.conforms is False
    assert [(v.focus, v.message) for v in report.violations] == [
        (f"<{CLAIM}lars-end>", "A contradicted claim cites the source that contradicts it.")]


def test_a_claim_with_two_statuses_is_reported(data_copy: Path, tmp_path: Path) -> None:
    edit(data_copy / "claims.ttl", "    s3:claimStatus s3:Contradicted ;\n    rdfs:comment \"LARS ended",
         "    s3:claimStatus s3:Contradicted , s3:Confirmed ;\n    rdfs:comment \"LARS ended")
    report = check_shapes(settings_for(data_copy, tmp_path))
    assert report.conforms is False
    assert (f"<{CLAIM}lars-end>", f"<{S3}claimStatus>") in [(v.focus, v.path) for v in report.violations]


def test_an_instant_with_no_date_is_reported(data_copy: Path, tmp_path: Path) -> None:
    edit(data_copy / "interreg-bsr.ttl",
         'interval:lars-end a time:Instant ;\n    time:inXSDgYearMonth "2020-09"^^xsd:gYearMonth .',
         "interval:lars-end a time:Instant .")
    report = check_shapes(settings_for(data_copy, tmp_path))
    assert report.conforms is False
    assert [v.focus for v in report.violations] == ["<https://w3id.org/s3graph/id/interval/lars-end>"]


def test_building_without_validation_accepts_broken_data(data_copy: Path, tmp_path: Path) -> None:
    for path in data_copy.iterdir():
        if path.name not in ("sources.ttl", "vocabularies.ttl"):
            path.unlink()
    edit(data_copy / "vocabularies.ttl", 'role:member a s3:Role ;', 'role:member a s3:Role , s3:Participation ;')
    settings = Settings(data_dir=str(data_copy), cache_dir=str(tmp_path / "cache"), validate_on_build=False)
    assert build(settings).from_cache is False
    with pytest.raises(ValidationFailed):
        build(settings.replace(validate_on_build=True))


# --- s3graph's validator against pySHACL: the same report on data broken at random ---------

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _shapes_at_work(shapes: list[ox.Triple], triples: list[ox.Triple]) -> list[tuple[list[object], list[ox.NamedNode]]]:
    """For each node shape, its focus nodes in `triples` and the paths its property shapes (and
    those in its sh:or, sh:xone, sh:not lists) constrain, with rdf:type: what breaking one of
    its focus nodes means changing."""
    sh, sub_class = "http://www.w3.org/ns/shacl#", "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    about: dict[object, list[ox.Triple]] = {}
    for t in shapes:
        about.setdefault(t.subject, []).append(t)
    supers: dict[object, set[object]] = {}
    for t in triples:
        if t.predicate.value == sub_class:
            supers.setdefault(t.subject, set()).add(t.object)

    def above(cls: object) -> set[object]:
        found, todo = set(), [cls]
        while todo:
            node = todo.pop()
            if node not in found:
                found.add(node)
                todo.extend(supers.get(node, ()))
        return found

    def reach(node: object, seen: set[object]) -> set[ox.NamedNode]:
        if node in seen:
            return set()
        seen.add(node)
        found = {t.object for t in about.get(node, []) if t.predicate.value == sh + "path"}
        for t in about.get(node, []):
            if isinstance(t.object, ox.BlankNode):
                found |= reach(t.object, seen)
        return found  # type: ignore[return-value]

    out = []
    for root, facts in about.items():
        focus: set[object] = set()
        for target in facts:
            kind = target.predicate.value.removeprefix(sh)
            if kind == "targetClass":
                focus |= {t.subject for t in triples
                          if t.predicate.value == RDF + "type" and target.object in above(t.object)}
            elif kind == "targetSubjectsOf":
                focus |= {t.subject for t in triples if t.predicate == target.object}
            elif kind == "targetObjectsOf":
                focus |= {t.object for t in triples if t.predicate == target.object}
        if focus:
            out.append((sorted(focus, key=str), sorted(reach(root, set()) | {ox.NamedNode(RDF + "type")}, key=str)))
    return out


def _values(bundled: list[ox.Triple], shapes: list[ox.Triple]) -> tuple[list[Any], list[Any]]:
    """Values a broken fact may take: the data's own nodes and classes, the shapes' terms, and
    literals of the shapes' datatypes, well and ill formed, tagged and not. Not a lexical form
    rdflib rewrites ("02"^^xsd:integer): rdflib makes it "2", one term with "2" where RDF (and
    s3graph's validator) has two, so a second value would count once for pySHACL."""
    nodes = sorted({t.subject for t in bundled[:4000:7]} | {t.object for t in shapes if not isinstance(
        t.object, ox.BlankNode)}, key=str)
    typed = [("SE312", "string"), ("SE31X", "string"), ("SE-W", "string"), ("2", "integer"), ("0", "integer"),
             ("7", "integer"), ("two", "integer"), ("2019-05-01", "date"),
             ("2019-02-30", "date"), ("2019", "gYear"), ("19", "gYear"), ("2019-05", "gYearMonth"),
             ("2019-13", "gYearMonth"), ("2.5", "decimal")]
    literals = [ox.Literal(text, datatype=ox.NamedNode(XSD + kind)) for text, kind in typed]
    literals += [ox.Literal("Dalarna", language=tag) for tag in ("en", "sv", "en-GB", "EN")]
    literals += [ox.Literal("http://data.europa.eu/nuts/code/SE312")]
    nodes.append(ox.BlankNode("broken"))
    return nodes, literals


CHANGES = ["drop", "add", "replace", "add to a value"]


@pytest.fixture(scope="module")
def validation_inputs(settings: Settings) -> tuple[list[list[ox.Triple]], SourceFile, list[ox.Triple]]:
    files = discover(settings.ontology_path, settings.data_dir, settings.base_iri)
    shapes = discover(settings.shapes_path, settings.data_dir, settings.base_iri)[0]
    return list(load(files).values()), shapes, parse_file(shapes)


def test_the_bundled_data_gets_the_same_report_from_both_validators(validation_inputs, caplog) -> None:  # type: ignore[no-untyped-def]
    graphs, shapes, _ = validation_inputs
    assert validate(graphs, shapes) == validate_with_pyshacl(graphs, shapes)
    assert "using pySHACL" not in caplog.text  # the bundled shapes are all s3graph's validator's


@settings_(max_examples=int(os.environ.get("S3GRAPH_SHACL_EXAMPLES", "20")), deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_broken_data_gets_pyshacls_report(validation_inputs, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """A shape's focus nodes broken at random (a value of one of its paths removed, added or
    changed, with values that break or keep each constraint, the value node's own facts too):
    both validators give the same results."""
    graphs, shapes, shape_triples = validation_inputs
    triples = [t for g in graphs for t in g]
    nodes, literals = _values(triples, shape_triples)
    at_work = _shapes_at_work(shape_triples, triples)
    # The choices are drawn first, as plain numbers picked from each list modulo its length,
    # so that what hypothesis draws never depends on the data it has changed so far.
    pick = st.integers(0, 1 << 20)
    changes = data.draw(st.lists(st.tuples(pick, pick, pick, pick, pick, st.sampled_from(CHANGES), st.booleans()),
                                 min_size=1, max_size=4), label="changes")
    for shape_at, node_at, path_at, fact_at, value_at, change, literal in changes:
        focus, paths = at_work[shape_at % len(at_work)]
        node, path = focus[node_at % len(focus)], paths[path_at % len(paths)]
        facts = [t for t in triples if t.subject == node and t.predicate == path]
        fact = facts[fact_at % len(facts)] if facts else None
        if fact is None or (change == "add to a value" and isinstance(fact.object, ox.Literal)):
            change = "add"
        if change in ("drop", "replace"):
            triples = [t for t in triples if t != fact]
        if change == "add to a value":
            assert fact is not None
            node, path = fact.object, paths[value_at % len(paths)]
        if change != "drop":
            pool = literals if literal else nodes
            if literal and path.value.endswith("#nutsLevel"):
                # The one path with a value range (sh:minInclusive 1, sh:maxInclusive 3): only
                # integers, as SPARQL compares them. pySHACL orders a literal of another type
                # against an integer as rdflib sorts literals (a gYear "2019" passes the lower
                # bound); SPARQL, and s3graph's validator, call that a type error: a violation.
                pool = [v for v in literals if v.datatype.value == XSD + "integer" and v.value.isdigit()]
            triples.append(ox.Triple(node, path, pool[value_at % len(pool)]))
    ours, theirs = validate([triples], shapes), validate_with_pyshacl([triples], shapes)
    assert ours == theirs
