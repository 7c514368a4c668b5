"""SHACL validation: the bundled data conforms; broken copies are reported and refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from s3graph.build.pipeline import build, check_shapes
from s3graph.build.validation import Violation
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
