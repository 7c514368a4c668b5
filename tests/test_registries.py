"""The registries: formats (one table for everything), engines and reasoners; unknown names list the choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from s3graph.build.reasoners import REASONERS
from s3graph.errors import Code, ConfigError
from s3graph.formats.negotiation import negotiate, supported
from s3graph.formats.registry import FORMATS, FORMATS_NS, KINDS, dump_formats, of_kind
from s3graph.query.engines import ENGINES, make_engine
from s3graph.service.exporting import export

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_name_alias_and_media_type_of_the_table_negotiates_to_its_format() -> None:
    for fmt in FORMATS:
        for spelling in (fmt.name, *fmt.aliases, *fmt.media_types):
            assert negotiate(fmt.kind, spelling, None) == fmt.name, (fmt.kind, spelling)
        # the first media type is the one offered; a later one may be shared with another format
        assert negotiate(fmt.kind, None, fmt.media_type) == fmt.name, (fmt.kind, fmt.media_type)


def test_each_kind_offers_its_table_rows_with_the_first_as_default() -> None:
    assert list(of_kind("bindings")) == ["json", "xml", "csv", "tsv"]
    assert list(of_kind("graph")) == ["ttl", "jsonld", "nt", "xml", "trig", "nq"]
    for kind in KINDS:
        assert negotiate(kind, None, None) == next(iter(of_kind(kind)))
        assert supported(kind, html=False) == [f.media_type for f in of_kind(kind).values()]
    assert list(dump_formats()) == ["ttl", "jsonld", "nt", "trig", "nq"]


def test_the_service_description_iris_come_from_the_table() -> None:
    iris = [FORMATS_NS + f.sd_name for f in FORMATS if f.sd_name]
    assert iris == [FORMATS_NS + name for name in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "JSON-LD", "N-Triples", "RDF_XML", "TriG", "N-Quads")]
    assert all(f.is_page == (f.sd_name is None) for f in FORMATS)


def test_an_unknown_name_is_an_error_listing_the_choices() -> None:
    with pytest.raises(ConfigError) as engine:
        ENGINES.pick("virtuoso")
    assert engine.value.message == "unknown engine 'virtuoso'; choose one of: oxigraph, rdflib"
    with pytest.raises(ConfigError) as reasoner:
        REASONERS.pick("hermit")
    assert reasoner.value.message == "unknown reasoner 'hermit'; choose one of: rules, owlrl, none"
    assert ENGINES.pick("rdflib") is ENGINES["rdflib"] and len(REASONERS) == 3


def test_make_engine_refuses_an_unknown_engine(built) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"unknown engine 'virtuoso'; choose one of: oxigraph, rdflib"):
        make_engine("virtuoso", built)
    assert make_engine("oxigraph", built).name == "oxigraph"


def test_export_refuses_a_format_that_cannot_hold_a_dataset_dump(built) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match=r"cannot export as 'xml'; use one of ttl, jsonld, nt, trig, nq"):
        export(built, "xml")


def test_every_error_code_in_the_readme_is_a_named_code() -> None:
    section = README.split("### Errors, limits and safety", 1)[1].split("\n- **", 1)[0]
    codes = [line.rsplit("|", 2)[1] for line in section.splitlines() if line.startswith("| ") and "`" in line]
    shown = {code for cell in codes for code in re.findall(r"`([a-z0-9-]+)`", cell)}
    assert len(shown) >= 15
    assert shown <= {code.value for code in Code}, shown - {code.value for code in Code}
