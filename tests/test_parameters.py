"""Canned-query parameters mean what they say, over HTTP and on the command line alike: empty
is the default or a 400, repeated is a 400, names match without regard to case or diacritics,
a territory's IRI is a region, allowed values match without regard to case, and infer=false on
a query that needs inference answers with a warning the client can see."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3graph.build.store import BuiltGraph
from s3graph.cli import main
from s3graph.query.catalog import Catalog, load_catalog
from s3graph.query.engines import Engine
from s3graph.query.executors import InProcess
from s3graph.settings import Settings
from s3graph.web import create_app
from tests.helpers import unordered

TERRITORY = "https://w3id.org/s3graph/id/territory/"
#: One app for every example of the property test (made on its first example).
LENIENT: dict[str, Any] = {}


def rows(client: FlaskClient, slug: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/queries/{slug}", query_string={**params, "format": "json"})
    assert response.status_code == 200, response.json
    assert response.json is not None
    found: list[dict[str, Any]] = response.json["results"]["bindings"]
    return found


@pytest.mark.parametrize(("value", "code"), [
    ("skane", "SE224"), ("SKÅNE", "SE224"), ("Skåne County", "SE224"), ("Vasterbotten", "SE331"),
    ("vasterbottens lan", "SE331"), ("vastra gotalands lan", "SE232"),
    # the authorities' official names (data/authorities.ttl) name the counties they act for
    ("vastra gotalandsregionen", "SE232"), ("REGION JAMTLAND HARJEDALEN", "SE322"),
    ("region orebro lan", "SE124"), (TERRITORY + "SE312", "SE312"), ("se-w", "SE312"), ("se312", "SE312")])
def test_regions_match_without_regard_to_case_or_diacritics(client: FlaskClient, value: str, code: str) -> None:
    assert rows(client, "region-profile", region=value) == rows(client, "region-profile", region=code)
    assert rows(client, "region-profile", region=code)[0]["region"]["value"] == TERRITORY + code


def test_an_iri_that_is_not_a_territory_is_refused(client: FlaskClient) -> None:
    response = client.get("/queries/region-profile", query_string={"region": TERRITORY + "SE999"})
    assert response.status_code == 400 and response.json is not None
    assert response.json["message"].startswith("parameter region: ")


def test_allowed_values_match_without_regard_to_case(client: FlaskClient) -> None:
    confirmed = rows(client, "claim-status", status="confirmed")
    assert confirmed == rows(client, "claim-status", status="Confirmed") == rows(client, "claim-status",
                                                                                status="CONFIRMED")
    assert len(confirmed) > 0 and len(confirmed) < len(rows(client, "claim-status"))


#: A canned query of a temporary catalog with a parameter that has no default and is not
#: optional (every parameter of the bundled queries has a default or is optional).
REQUIRED = """# title: Collaborations named like a text
# param: text string -- the text to look for (no default, not optional)
# inference: none
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?text ?c ?name WHERE { ?c rdfs:label ?name FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?text))) } ORDER BY ?c ?name
"""


@pytest.fixture()
def required_client(tmp_path: Path, settings: Settings, built: BuiltGraph, engine: Engine) -> FlaskClient:
    """A client of a service whose catalog is REQUIRED alone."""
    (tmp_path / "named-like.rq").write_text(REQUIRED, encoding="utf-8")
    return create_app(settings, built=built, catalog=load_catalog(str(tmp_path)),
                      executor=InProcess(engine)).test_client()


def test_an_empty_value_is_the_default_or_not_given(client: FlaskClient) -> None:
    assert rows(client, "region-profile", region="") == rows(client, "region-profile", region="SE312") == \
        rows(client, "region-profile")
    assert rows(client, "region-profile", region="  ") == rows(client, "region-profile")
    # claim-status's status has the default all
    every = rows(client, "claim-status")
    assert rows(client, "claim-status", status="") == rows(client, "claim-status", status="all") == every
    assert len(every) > len(rows(client, "claim-status", status="confirmed")) > 0
    # source-only-facts's subject is optional: empty is not given (the facts about every resource)
    everything = rows(client, "source-only-facts")
    assert rows(client, "source-only-facts", subject="") == rows(client, "source-only-facts", subject=" ") == \
        everything
    assert len({b["subject"]["value"] for b in everything}) > 1


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_value_without_a_default_is_a_400_naming_the_parameter(
        required_client: FlaskClient, tmp_path: Path, settings: Settings, empty: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert len(rows(required_client, "named-like", text="vanguard")) > 1  # it answers when given
    response = required_client.get("/queries/named-like", query_string={"text": empty, "format": "json"})
    assert response.status_code == 400 and response.json is not None
    assert response.json["error"] == "bad-parameter"
    assert response.json["message"] == "parameter text is empty; give a value or leave it out"
    assert main(["query", "--cache-dir", settings.cache_dir, "--queries-dir", str(tmp_path),
                 "--canned", "named-like", "-p", f"text={empty}"]) == 2
    assert capsys.readouterr().err == "s3graph: error: parameter text is empty; give a value or leave it out\n"


@pytest.mark.parametrize("args", [[("region", "SE312"), ("region", "SE224")], [("region", "SE312"), ("region", "")],
                                  [("infer", "true"), ("infer", "true")],
                                  [("format", "csv"), ("format", "json")]])
def test_a_repeated_parameter_is_a_400(client: FlaskClient, args: list[tuple[str, str]]) -> None:
    response = client.get("/queries/region-profile", query_string=args)
    assert response.status_code == 400 and response.json is not None
    assert response.json["error"] == "bad-parameter"
    assert args[0][0] in response.json["message"]


def test_no_inference_on_a_query_that_needs_it_says_so(client: FlaskClient) -> None:
    quiet = client.get("/queries/region-profile", query_string={"format": "json"})
    assert "X-S3Graph-Warning" not in quiet.headers
    warned = client.get("/queries/region-profile", query_string={"format": "json", "infer": "false"})
    assert warned.headers["X-S3Graph-Warning"] == ("region-profile needs inference; with infer=false it answers from "
                                                   "the asserted triples only, so its answer may be empty or short")
    assert "X-S3Graph-Warning" in warned.headers["Access-Control-Expose-Headers"]
    page = client.get("/queries/region-profile", query_string={"infer": "false"}, headers={"Accept": "text/html"})
    assert '<p class="note" id="warning" role="status">region-profile needs inference' in page.get_data(as_text=True)
    # a query that does not need inference says nothing
    assert "X-S3Graph-Warning" not in client.get("/queries/vanguard-initiative",
                                                 query_string={"format": "json", "infer": "false"}).headers


def test_the_command_line_takes_parameters_as_http_does(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["query", "--cache-dir", settings.cache_dir, "--format", "csv", "--canned", "region-profile"]
    assert main([*base, "-p", "region=skane"]) == 0
    by_name = capsys.readouterr().out
    assert main([*base, "-p", "region=SE224"]) == 0
    assert capsys.readouterr().out == by_name and TERRITORY + "SE224" in by_name
    assert main([*base, "-p", "region=SE312", "-p", "region=SE224"]) == 2
    assert capsys.readouterr().err == "s3graph: error: parameter region is given 2 times; give it once\n"
    assert main([*base, "--no-inference"]) == 0
    assert capsys.readouterr().err.startswith("s3graph: warning: region-profile needs inference;")


@pytest.mark.parametrize(("slug", "name", "value"), [
    ("source-only-facts", "subject", "http://x\x00"), ("collaborations-by-topic", "topic", "http://x/\ufffd"),
    ("source-only-facts", "subject", "http://x/\uffff"), ("collaborations-by-topic", "topic", "http://x/\x7f")])
def test_an_iri_parameter_that_is_not_an_iri_is_a_400(client: FlaskClient, slug: str, name: str, value: str) -> None:
    response = client.get(f"/queries/{slug}", query_string={name: value})
    assert response.status_code == 400 and response.json is not None
    assert response.json["error"] == "bad-parameter" and response.json["message"].startswith(f"parameter {name}: ")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=st.text(max_size=30))
def test_no_parameter_value_makes_a_server_error(make_app: Any, catalog: Catalog, data: st.DataObject,
                                                 value: str) -> None:
    client = LENIENT.get("client") or LENIENT.setdefault(
        "client", make_app(rate_limit_errors=10**6).test_client())  # the examples are one client's many errors
    canned = data.draw(st.sampled_from([q for q in catalog.queries if q.parameters and not q.federation]))
    parameter = data.draw(st.sampled_from(canned.parameters))
    prefix = data.draw(st.sampled_from(["", "http://", "https://w3id.org/s3graph/id/territory/"]))
    response = client.get(f"/queries/{canned.slug}", query_string={parameter.name: prefix + value, "format": "json"})
    assert response.status_code in (200, 400), (canned.slug, parameter.name, prefix + value, response.data[:200])


# --- parameters written into the query (query.inline) answer as Oxigraph's substitution ----

_VALUES_OF = {
    "region": ["SE312", "SE224", "SE11", "SE", "Dalarna", "Skåne County"],
    "iri": [TERRITORY + "SE312", "https://w3id.org/s3graph/id/topic/industrial-modernisation",
            "https://w3id.org/s3graph/id/topic/energy", "https://w3id.org/s3graph/id/collaboration/lars"],
}
#: Text with the characters an inlined literal must escape: quotes, backslashes, line ends.
_TEXT = st.text(alphabet=st.sampled_from(list("energyVAN \"'\\\n\t{}?$#<>.")), max_size=12)


@settings(max_examples=int(os.environ.get("S3GRAPH_INLINE_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug_at=st.integers(0, 1 << 16),
       drawn=st.lists(st.tuples(st.booleans(), st.integers(0, 1 << 16), _TEXT), min_size=4, max_size=4))
def test_inlined_parameters_answer_as_the_substitution(built: BuiltGraph, catalog: Catalog, settings: Settings,
                                                       slug_at: int, drawn: list[tuple[bool, int, str]]) -> None:
    """Every canned query, with values drawn for its parameters: the query with the values
    written in gives the same rows as Oxigraph's substitution of the same values."""
    from s3graph.query.engines import Bindings, OxigraphEngine, select_dataset
    from s3graph.query.regions import region_resolver

    engines = LENIENT.get("engines") or LENIENT.setdefault("engines", (
        OxigraphEngine(built, settings.base_iri), OxigraphEngine(built, settings.base_iri, inline_bindings=False),
        region_resolver(built.open_store())))
    inlined, substituted, resolver = engines
    queries = [q for q in catalog.queries if q.parameters and not q.federation]
    canned = queries[slug_at % len(queries)]
    given_values: dict[str, str] = {}
    for parameter, (give, at, text) in zip(canned.parameters, drawn, strict=False):
        if give:
            pool = parameter.allowed or _VALUES_OF.get(parameter.type)
            given_values[parameter.name] = pool[at % len(pool)] if pool else \
                str(1990 + at % 40) if parameter.type == "year" else text
    try:
        bindings = canned.bind(given_values, resolver)
    except Exception:  # noqa: BLE001 - a value the parameter refuses: nothing to compare
        return
    for infer in (True, False):
        dataset = select_dataset(built, infer=infer)
        mine, theirs = (e.execute(canned.sparql, dataset, bindings) for e in (inlined, substituted))
        assert isinstance(mine, Bindings) and isinstance(theirs, Bindings)
        assert all(inlined._inlines.values()), (canned.slug, given_values)  # written in, never substituted
        assert mine.variables == theirs.variables, (canned.slug, given_values, infer)
        # The same rows; ties under ORDER BY may come in another order, and so may the values a
        # GROUP_CONCAT joins (SPARQL leaves both open, and the two plans differ).
        assert sorted(map(unordered, mine.rows)) == sorted(map(unordered, theirs.rows)), \
            (canned.slug, given_values, infer, len(mine.rows), len(theirs.rows))



def test_a_parameter_written_into_the_query_stays_a_literal(client: FlaskClient, built: BuiltGraph,
                                                             catalog: Catalog, settings: Settings) -> None:
    """Text that would close the literal and the group and call a SERVICE, were it pasted in
    unescaped: written into the query it is one escaped literal that matches no name (and the
    query was written in, not handed to the substitution)."""
    from s3graph.query.engines import Bindings, OxigraphEngine, select_dataset
    from s3graph.query.inline import inline

    text = '") } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } # \' """'
    assert rows(client, "collaboration-search", text=text) == []
    canned = catalog.get("collaboration-search")
    bindings = canned.bind({"text": text})
    assert "SERVICE" not in inline(canned.sparql, bindings).replace(str(bindings["text"]), "")
    engine = OxigraphEngine(built, settings.base_iri)
    result = engine.execute(canned.sparql, select_dataset(built, infer=True), bindings)
    assert isinstance(result, Bindings) and result.rows == () and list(engine._inlines.values()) == [True]
    found = rows(client, "collaboration-search", text="vanguard")
    assert {r["matchedName"]["value"] for r in found} == {"Vanguard Initiative", "Vanguard-initiativet"}
    assert {r["text"]["value"] for r in found} == {"vanguard"}
