"""Canned-query parameters offer their choices, with labels: allowed values and the answers of
`# choices:` queries (on the asserted triples), in the JSON listing, the service description,
the HTML form (a select, or a datalist for a region) and the command line; an IRI parameter
with choices takes no other value; an `optional` parameter left empty is not given."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib.collection import Collection

from s3graph.build.store import BuiltGraph
from s3graph.cli import main
from s3graph.errors import CatalogError, QueryError
from s3graph.query.catalog import Catalog, load_catalog, parse_canned
from s3graph.query.engines import DatasetSpec, Engine
from s3graph.query.executors import InProcess
from s3graph.settings import Settings
from s3graph.web import create_app
from tests.helpers import rows

ID = "https://w3id.org/s3graph/id/"
TOPIC = ID + "topic/"
TERRITORY = ID + "territory/"
ENERGY = TOPIC + "energy"
NUTS_CODE = "https://w3id.org/s3graph/ontology#nutsCode"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

#: A canned query of a temporary catalog: an optional IRI with choices (the territories by
#: NUTS code, labelled by code) and an IRI with neither default nor `optional`.
TERRITORIES = f"""# title: Territories by code
# description: Every territory with its NUTS code, or one.
# param: subject iri optional -- only this territory (all when not given)
# param: other iri -- a parameter that is neither optional nor has a default
# choices: subject SELECT ?value ?label WHERE {{ ?value <{NUTS_CODE}> ?label }} ORDER BY ?label
# inference: none
SELECT ?subject ?code ?other WHERE {{ ?subject <{NUTS_CODE}> ?code }} ORDER BY ?code
"""

#: Choices without labels, one value twice: labels fall back to a prefixed name, else the value.
UNLABELLED = ("# title: Unlabelled choices\n# param: thing string default=x -- a thing\n"
              f"# choices: thing SELECT ?value ?label WHERE {{ VALUES ?value {{ <{ID}participation/adma-dalarna> "
              '<http://example.org/b> <http://example.org/a> "plain" <http://example.org/a> } }\n'
              "SELECT ?thing WHERE { }\n")


def listing(client: FlaskClient) -> dict[str, dict[str, Any]]:
    """Every parameter of the JSON listing of /queries, by "slug.name"."""
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return {f"{q['slug']}.{p['name']}": p for q in json.loads(response.data)["queries"] for p in q["parameters"]}


def page(client: FlaskClient, slug: str, expect: int = 200, /, **params: str) -> str:
    """The HTML page of a canned query with these parameters (its status `expect`)."""
    response = client.get(f"/queries/{slug}", query_string=params, headers={"Accept": "text/html"})
    assert response.status_code == expect, response.data[:300]
    return response.data.decode()


def scheme_topics(engine: Engine, asserted: DatasetSpec) -> list[str]:
    """The concepts of the topic scheme, counted from the store."""
    return [str(row[0]) for row in rows(engine, asserted, "SELECT DISTINCT ?t WHERE { ?t a skos:Concept ; "
                                                     "skos:inScheme topic:scheme }")]


@pytest.fixture()
def tmp_client(tmp_path: Path, settings: Settings, built: BuiltGraph, engine: Engine) -> FlaskClient:
    """A client of a service whose catalog is TERRITORIES and UNLABELLED."""
    (tmp_path / "territories.rq").write_text(TERRITORIES, encoding="utf-8")
    (tmp_path / "unlabelled.rq").write_text(UNLABELLED, encoding="utf-8")
    return create_app(settings, built=built, catalog=load_catalog(str(tmp_path)),
                      executor=InProcess(engine)).test_client()


# --- the JSON listing ----------------------------------------------------------------------

def test_allowed_values_are_the_choices_labelled_by_themselves(client: FlaskClient) -> None:
    status = listing(client)["claim-status.status"]
    assert status["choices"] == [{"value": v, "label": v} for v in ("all", "confirmed", "unverified", "contradicted")]
    assert status["default"] == "all" and status["optional"] is False
    assert status["allowed"] == ["all", "confirmed", "unverified", "contradicted"]


def test_topic_choices_are_the_concepts_of_the_topic_scheme(client: FlaskClient, engine: Engine,
                                                             asserted: DatasetSpec) -> None:
    topic = listing(client)["collaborations-by-topic.topic"]
    values = [c["value"] for c in topic["choices"]]
    assert {"value": ENERGY, "label": "energy"} in topic["choices"]
    assert sorted(values) == sorted(scheme_topics(engine, asserted)) and len(set(values)) == len(values)
    assert [c["label"] for c in topic["choices"]] == sorted(c["label"] for c in topic["choices"])  # ORDER BY ?label
    assert topic["optional"] is False and topic["allowed"] == []


def test_every_parameter_has_choices_and_optional(client: FlaskClient, catalog: Catalog) -> None:
    found = listing(client)
    assert set(found) == {f"{q.slug}.{p.name}" for q in catalog.queries for p in q.parameters}
    for key, parameter in found.items():
        assert isinstance(parameter["choices"], list) and isinstance(parameter["optional"], bool), key
    assert found["active-in-year.year"]["choices"] == [] and found["collaborations.lang"]["choices"] == [
        {"value": "en", "label": "en"}, {"value": "sv", "label": "sv"}]


def test_region_choices_are_listed_from_the_asserted_triples(client: FlaskClient, engine: Engine,
                                                              asserted: DatasetSpec) -> None:
    region = listing(client)["region-profile.region"]
    # Every territory, by its English name where a source gives one, else its own, with its code.
    territories = rows(engine, asserted, "SELECT DISTINCT ?t WHERE { ?t s3:nutsCode ?code } ORDER BY ?t")
    assert [c["value"] for c in region["choices"]] == [t for t, in territories]
    assert len(territories) == 41
    labels = {c["value"]: c["label"] for c in region["choices"]}
    assert (labels[TERRITORY + "SE312"], labels[TERRITORY + "SE1"], labels[TERRITORY + "SE31"],
            labels[TERRITORY + "BE3"]) == ("Dalarna County (SE312)", "Östra Sverige (SE1)",
                                           "North-Middle Sweden (SE31)", "Wallonia (BE3)")


def test_labels_fall_back_to_a_prefixed_name_or_the_value(tmp_client: FlaskClient) -> None:
    assert listing(tmp_client)["unlabelled.thing"]["choices"] == [
        {"value": ID + "participation/adma-dalarna", "label": "participation:adma-dalarna"},
        {"value": "http://example.org/b", "label": "http://example.org/b"},
        {"value": "http://example.org/a", "label": "http://example.org/a"},
        {"value": "plain", "label": "plain"}]


# --- validation ----------------------------------------------------------------------------

def test_a_topic_not_in_the_scheme_is_a_400_naming_topic(client: FlaskClient) -> None:
    outside = TOPIC + "no-such-topic"
    response = client.get("/queries/collaborations-by-topic", query_string={"topic": outside, "format": "json"})
    assert response.status_code == 400 and response.json is not None
    assert response.json["error"] == "bad-parameter"
    assert response.json["message"] == f"parameter topic: {outside!r} is not one of its choices (see /queries)"
    energy = client.get("/queries/collaborations-by-topic", query_string={"topic": ENERGY, "format": "json"})
    assert energy.status_code == 200 and energy.json is not None
    assert {b["topic"]["value"] for b in energy.json["results"]["bindings"]} <= {ENERGY}


def test_a_region_is_not_limited_to_its_choices(client: FlaskClient) -> None:
    region = client.get("/queries/region-profile", query_string={"region": "skane", "format": "json"})
    assert region.status_code == 200


def test_the_command_line_refuses_a_topic_outside_the_choices(settings: Settings, built: BuiltGraph,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # `built`: the build is in the cache already, so the command prints nothing of building it
    outside = TOPIC + "no-such-topic"
    assert main(["query", "--cache-dir", settings.cache_dir, "--canned", "collaborations-by-topic",
                 "-p", f"topic={outside}"]) == 2
    assert capsys.readouterr().err == (f"s3graph: error: parameter topic: {outside!r} is not one of its choices "
                                       "(see /queries)\n")


# --- the HTML form -------------------------------------------------------------------------

def test_the_topic_form_is_a_select_of_labelled_topics_the_default_marked(client: FlaskClient) -> None:
    text = page(client, "collaborations-by-topic")
    select = re.search(r'<select name="topic">(.*?)</select>', text)
    assert select is not None
    assert f'<option value="{ENERGY}">energy</option>' in select.group(1)
    default = {c["value"]: c["label"] for c in listing(client)["collaborations-by-topic.topic"]["choices"]}
    chosen = TOPIC + "industrial-modernisation"
    assert re.findall(r"<option[^>]* selected>[^<]*</option>", select.group(1)) == [
        f'<option value="{chosen}" selected>{html.escape(default[chosen])} (default)</option>']
    assert f'<option value="{ENERGY}" selected>energy</option>' in page(client, "collaborations-by-topic",
                                                                         topic=ENERGY)


def test_a_refused_topic_stays_selected_in_the_form(client: FlaskClient) -> None:
    outside = TOPIC + "no-such-topic"
    text = page(client, "collaborations-by-topic", 400, topic=outside)
    assert f'<select name="topic" aria-invalid="true"><option value="{outside}" selected>{outside}</option>' in text
    assert "<code>bad-parameter</code>: parameter topic: " in text


def test_allowed_values_are_a_select_with_the_default_marked(client: FlaskClient) -> None:
    text = page(client, "claim-status")
    assert ('<select name="status"><option value="all" selected>all (default)</option>'
            '<option value="confirmed">confirmed</option><option value="unverified">unverified</option>'
            '<option value="contradicted">contradicted</option></select>') in text
    # allowed values match without regard to case: Confirmed is the confirmed option
    assert '<option value="confirmed" selected>confirmed</option>' in page(client, "claim-status", status="Confirmed")


def test_a_region_is_an_input_with_a_datalist_of_labelled_choices(client: FlaskClient) -> None:
    text = page(client, "region-profile", region="SE-W")
    assert '<input name="region" value="SE-W" list="choices-region">' in text
    datalist = re.search(r'<datalist id="choices-region">(.*?)</datalist>', text)
    assert datalist is not None
    labels = {c["value"]: c["label"] for c in listing(client)["region-profile.region"]["choices"]}
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', datalist.group(1))
    assert [(v, html.unescape(label)) for v, label in options] == list(labels.items())
    assert labels[TERRITORY + "SE312"]


# --- optional parameters (a temporary catalog) ---------------------------------------------

def test_an_optional_parameter_left_empty_is_not_given(tmp_client: FlaskClient) -> None:
    def answer(**params: str) -> list[dict[str, Any]]:
        response = tmp_client.get("/queries/territories", query_string={**params, "format": "json"})
        assert response.status_code == 200, response.json
        assert response.json is not None
        found: list[dict[str, Any]] = response.json["results"]["bindings"]
        return found

    everything = answer()
    assert len(everything) > 1 and answer(subject="") == answer(subject="  ") == everything
    assert [b["code"]["value"] for b in answer(subject=TERRITORY + "SE312")] == ["SE312"]
    # the parameter that is neither optional nor has a default keeps its 400
    empty = tmp_client.get("/queries/territories", query_string={"other": "", "format": "json"})
    assert empty.status_code == 400 and empty.json is not None
    assert empty.json["message"] == "parameter other is empty; give a value or leave it out"
    listed = listing(tmp_client)
    assert listed["territories.subject"]["optional"] is True and listed["territories.other"]["optional"] is False
    assert len(listed["territories.subject"]["choices"]) == len(everything)


def test_an_optional_select_starts_with_all(tmp_client: FlaskClient) -> None:
    text = page(tmp_client, "territories", subject="")
    assert '<select name="subject"><option value="" selected>(all)</option><option value="' in text
    assert "<small>(iri, optional)</small>" in text
    assert '<input name="other" value="">' in text  # no choices: a plain input
    chosen = page(tmp_client, "territories", subject=TERRITORY + "SE312")
    assert '<option value="" selected>' not in chosen
    assert f'<option value="{TERRITORY}SE312" selected>SE312</option>' in chosen


# --- the service description and the command line ------------------------------------------

def described(client: FlaskClient, slug: str) -> tuple[rdflib.Graph, dict[str, rdflib.term.Node]]:
    """The service description, and the sh:Parameter nodes of one canned query by name."""
    graph = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data.decode(),
                                 format="turtle")
    node = rdflib.URIRef(f"http://127.0.0.1:8000/queries/{slug}")
    return graph, {str(graph.value(p, SH.name)): p for p in graph.objects(node, SH.parameter)}


def test_the_description_gives_allowed_values_as_sh_in_and_optional(client: FlaskClient,
                                                                    tmp_client: FlaskClient) -> None:
    graph, found = described(client, "claim-status")
    head = graph.value(found["status"], SH["in"])
    assert head is not None
    assert [str(v) for v in Collection(graph, head)] == ["all", "confirmed", "unverified", "contradicted"]
    assert graph.value(found["status"], SH.optional) is None
    graph, found = described(tmp_client, "territories")
    assert graph.value(found["subject"], SH.optional) == rdflib.Literal(True)
    assert graph.value(found["other"], SH.optional) is None and graph.value(found["other"], SH["in"]) is None


def test_the_command_line_lists_allowed_values_and_optional(tmp_path: Path, catalog: Catalog,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"claim-status\t{catalog.get('claim-status').title}\t" \
           "(status: string = all [all|confirmed|unverified|contradicted])" in lines
    (tmp_path / "territories.rq").write_text(TERRITORIES, encoding="utf-8")
    assert main(["queries", "--queries-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "territories\tTerritories by code\t(subject: iri, optional, other: iri)\n"


# --- the header ----------------------------------------------------------------------------

HEADER = "# title: T\n# param: topic iri default=http://example.org/t -- a topic\n"
BODY = "SELECT ?topic WHERE { }\n"


@pytest.mark.parametrize(("line", "message"), [
    ("# choices: nope SELECT ?value ?label WHERE { }",
     "choices for nope, which is not a parameter of the query (it takes: topic)"),
    ("# choices: topic SELECT ?value ?label WHERE { ?value ",
     "the choices query: syntax error at line 1, column "),
    ("# choices: topic SELECT ?value WHERE { ?value ?p ?o }",
     "the choices query must be a SELECT of ?value and ?label"),
    ("# choices: topic CONSTRUCT { ?value ?p ?label } WHERE { ?value ?p ?label }",
     "the choices query must be a SELECT of ?value and ?label"),
    ("# choices: topic SELECT ?value ?label WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?value ?p ?label } }",
     "the choices query may not call another endpoint (SERVICE)"),
    ("# choices: topic",
     "a choices line is `NAME SELECT ?value ?label WHERE { ... }`"),
])
def test_a_bad_choices_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(HEADER + line + "\n" + BODY, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        parse_canned(path)
    assert raised.value.message.startswith(f"{path}:3: {message}")


@pytest.mark.parametrize(("header", "message"), [
    ("# param: topic iri optional default=http://example.org/t -- a topic\n",
     "2: parameter topic is optional and has a default; give one or the other"),
    ("# param: topic string allowed=a,b -- a topic\n# choices: topic SELECT ?value ?label WHERE { }\n",
     "3: parameter topic has allowed values, which are its choices"),
    ("# param: topic iri -- a\n# choices: topic SELECT ?value ?label WHERE { }\n"
     "# choices: topic SELECT ?value ?label WHERE { }\n", "4: parameter topic has a choices line already"),
    ("# param: topic iri -- a\n# param: topic iri -- b\n", "3: parameter topic is declared twice"),
    ("# param: topic iri optionally -- a\n", "2: unknown param option 'optionally'"),
])
def test_contradictory_parameter_lines_name_file_and_line(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# title: T\n" + header + BODY, encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        parse_canned(path)
    assert raised.value.message == f"{path}:{message}"


def test_a_choices_line_may_come_before_its_param_line(tmp_path: Path) -> None:
    path = tmp_path / "early.rq"
    path.write_text("# title: T\n# choices: topic SELECT ?value ?label WHERE { }\n"
                    "# param: topic iri optional -- a topic\n" + BODY, encoding="utf-8")
    (topic,) = parse_canned(path).parameters
    assert topic.optional and topic.choices_query == "SELECT ?value ?label WHERE { }" and topic.restricted


def test_bind_checks_given_iris_against_the_choices_only(tmp_path: Path) -> None:
    path = tmp_path / "bound.rq"
    path.write_text(HEADER + "# choices: topic SELECT ?value ?label WHERE { }\n" + BODY, encoding="utf-8")
    canned = parse_canned(path)
    choices = {"topic": (("http://example.org/u", "u"),)}
    assert str(canned.bind({"topic": "http://example.org/u"}, choices=choices)["topic"]) == "<http://example.org/u>"
    assert str(canned.bind({}, choices=choices)["topic"]) == "<http://example.org/t>"  # the author's default
    with pytest.raises(QueryError, match=r"^parameter topic: 'http://example.org/v' is not one of its choices"):
        canned.bind({"topic": "http://example.org/v"}, choices=choices)
    # no choices found (an empty answer) restricts nothing
    assert str(canned.bind({"topic": "http://example.org/v"}, choices={"topic": ()})["topic"]) == \
        "<http://example.org/v>"


@pytest.mark.parametrize("given", ["energy", "ENERGY", "https://w3id.org/s3graph/id/topic/energy"])
def test_a_topic_may_be_given_by_its_label_or_the_last_part_of_its_iri(client: FlaskClient, given: str) -> None:
    response = client.get("/queries/collaborations-by-topic", query_string={"topic": given, "format": "json"})
    assert response.status_code == 200 and response.json is not None
    assert {b["topic"]["value"] for b in response.json["results"]["bindings"]} == {TOPIC + "energy"}
    assert sorted(b["collaboration"]["value"] for b in response.json["results"]["bindings"]) == [
        "ADMA Energy", "Bioenergy", "Smart Specialisation Platform on Energy"]


def test_a_name_that_is_no_choice_is_a_400_that_says_what_is_taken(client: FlaskClient) -> None:
    response = client.get("/queries/collaborations-by-topic", query_string={"topic": "tourism", "format": "json"})
    assert response.status_code == 400 and response.json is not None
    assert "parameter topic: 'tourism' is not an absolute http(s) IRI, or the label or last part of one of its " \
           "choices" in response.json["message"]
