"""Every canned query gives the exact answer the sources give, the same on Oxigraph and rdflib.

Expected rows are transcribed by hand from the source document ("Collaboration in the EU")
and from the identifier tables the other data files were made from; each query is run
through the catalog with its parameters bound (never formatted into the text).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from s3graph.build.store import BuiltGraph
from s3graph.errors import QueryError
from s3graph.query.catalog import Catalog, load_catalog
from s3graph.query.engines import Bindings, Engine, select_dataset
from s3graph.query.guard import check
from s3graph.query.regions import region_resolver
from s3graph.settings import Settings
from tests import expected
from tests.helpers import rows, value

ID = "https://w3id.org/s3graph/id/"
TERRITORY = ID + "territory/"
COLLAB = ID + "collaboration/"
PART = ID + "participation/"
AUTHORITY = ID + "authority/"
CLAIM = ID + "claim/"
SRC = ID + "source/"
TOPIC = ID + "topic/"
ROLE = ID + "role/"
ORG = "http://www.w3.org/ns/org#"
S3 = "https://w3id.org/s3graph/ontology#"
SWEDEN = SRC + "smart-specialisation-sweden"

Row = tuple[str | None, ...]
Answer = Callable[..., list[Row]]

FEDERATED = {
    "wikidata-federated": "https://query.wikidata.org/sparql",
    "nuts-federated": "https://publications.europa.eu/webapi/rdf/sparql",
}

# county (English name), NUTS-3, ISO 3166-2, Wikidata QID, Swedish name
COUNTIES = [(c.name, c.nuts, c.iso, c.wikidata, c.swedish) for c in expected.COUNTIES]
NUTS3 = {name: nuts for name, nuts, *_ in COUNTIES}

# (county, slug of the authority and of its participations)
S3_PLATFORM_MEMBERS = expected.S3_PLATFORM_MEMBERS

# The counties in none of the collaborations the source names.
COUNTIES_WITHOUT = ["Uppsala", "Västmanland", "Jönköping", "Kronoberg", "Kalmar", "Gotland", "Blekinge",
                    "Halland", "Västernorrland", "Norrbotten"]


@pytest.fixture(scope="module")
def catalog(settings: Settings) -> Catalog:
    """The bundled canned queries."""
    return load_catalog(settings.queries_dir)


def run(catalog: Catalog, built: BuiltGraph, engine: Engine, slug: str, infer: bool,
        values: dict[str, str]) -> list[Row]:
    """Run a canned query through the catalog on one engine; rows as plain strings."""
    canned = catalog.get(slug)
    dataset = select_dataset(built, infer=infer)
    bindings = canned.bind(values, region_resolver(built.open_store()))
    result = engine.execute(canned.sparql, dataset, bindings)
    assert isinstance(result, Bindings) and not result.truncated
    return [tuple(value(term) for term in row) for row in result.rows]


@pytest.fixture()
def answer(catalog: Catalog, built: BuiltGraph, engine: Engine, rdflib_engine: Engine) -> Answer:
    """The rows of a canned query, checked to be the same on both engines (and, for a query that
    declares `inference: none`, the same with and without the inferred triples)."""

    def answer_(slug: str, *, infer: bool = True, **values: str) -> list[Row]:
        found = run(catalog, built, engine, slug, infer, values)
        assert run(catalog, built, rdflib_engine, slug, infer, values) == found, \
            f"{slug}: Oxigraph and rdflib disagree"
        if catalog.get(slug).inference == "none":
            assert run(catalog, built, engine, slug, not infer, values) == found, \
                f"{slug}: declares inference none but the inferred triples change its answer"
        return found

    return answer_


# --- The catalog ---------------------------------------------------------------------------

def test_there_are_at_least_15_queries_each_with_title_and_description(catalog: Catalog) -> None:
    assert len(catalog.queries) >= 15
    for canned in catalog.queries:
        assert canned.title.strip() and len(canned.description) > 40, canned.slug


def test_every_query_has_a_stable_order_and_passes_the_guard(catalog: Catalog, settings: Settings) -> None:
    for canned in catalog.queries:
        assert "ORDER BY" in canned.sparql, canned.slug
        checked = check(canned.sparql, max_length=settings.max_query_length,
                        max_depth=settings.max_nesting_depth,
                        allowlist=settings.federation_allowlist, base=settings.base_iri)
        assert checked.form == "SELECT", canned.slug
        assert checked.services == canned.federation, canned.slug


def test_every_query_but_the_federated_ones_is_tested_here(catalog: Catalog) -> None:
    assert {q.slug for q in catalog.queries} == TESTED | set(FEDERATED)


@pytest.mark.parametrize(("slug", "endpoint"), sorted(FEDERATED.items()))
def test_federated_queries_declare_and_call_exactly_their_endpoint(
        catalog: Catalog, slug: str, endpoint: str) -> None:
    canned = catalog.get(slug)
    assert canned.federation == (endpoint,)
    assert re.findall(r"SERVICE\s*<([^>]*)>", canned.sparql) == [endpoint]
    assert canned.inference == "none" and not canned.parameters
    # The join key is bound outside the SERVICE block and used inside it.
    outside, inside = canned.sparql.split("SERVICE", 1)
    key = "?item" if slug == "wikidata-federated" else "?nutsConcept"
    assert key in outside.split("WHERE", 1)[1] and key in inside


# --- Parameters: types, hostile values, unknown names ------------------------------------

@pytest.mark.parametrize(("slug", "name", "raw"), [
    ("active-in-year", "year", "twenty eighteen"),
    ("active-in-year", "year", "99999"),
    ("active-in-year", "year", "2018 || true"),
    ("collaborations-by-topic", "topic", "industrial-modernisation"),
    ("collaborations-by-topic", "topic", 'https://x" || true || "'),
    ("source-only-facts", "subject", "javascript:alert(1)"),
    ("s3-platform-members", "lang", "de"),
    ("s3-platform-members", "lang", 'en" || true || "'),
    ("claim-status", "status", "maybe"),
    ("claim-status", "status", 'x" || true || "'),
    ("collaboration-search", "text", "x" * 201),
    ("region-profile", "region", "Atlantis"),
    ("region-profile", "region", "SE999"),
    ("region-profile", "region", 'x" || true || "'),
])
def test_a_wrong_value_is_a_query_error_naming_the_parameter(
        catalog: Catalog, built: BuiltGraph, engine: Engine, slug: str, name: str, raw: str) -> None:
    with pytest.raises(QueryError) as caught:
        catalog.get(slug).bind({name: raw}, region_resolver(built.open_store()))
    assert f"parameter {name}:" in caught.value.message
    assert caught.value.status == 400 and caught.value.code == "bad-parameter"


def test_an_unknown_parameter_is_a_query_error_naming_it(catalog: Catalog) -> None:
    with pytest.raises(QueryError) as caught:
        catalog.get("region-profile").bind({"regoin": "SE312"})
    assert "'regoin'" in caught.value.message and "region" in caught.value.message
    with pytest.raises(QueryError, match="'year'"):
        catalog.get("s3-platform-members").bind({"year": "2018"})


def test_an_injection_payload_as_a_string_matches_nothing(answer: Answer) -> None:
    assert answer("collaboration-search", text='x" || true || "') == []
    assert answer("collaboration-search", text="') } UNION { ?c ?p ?o } #") == []


# --- 1-4: platforms and initiatives ---------------------------------------------------------

def test_s3_platform_members(answer: Answer) -> None:
    expected = sorted(((f"Region {county}", f"{county} County", NUTS3[county], "unverified", "en")
                       for county, _ in S3_PLATFORM_MEMBERS), key=lambda row: row[2])
    assert answer("s3-platform-members") == expected
    swedish = {name: sv for name, _, _, _, sv in COUNTIES}
    assert answer("s3-platform-members", lang="sv") == [
        (authority, swedish[county[:-len(" County")]], code, "obekräftat", "sv")
        for authority, county, code, _, _ in expected]


def test_thematic_platforms(answer: Answer) -> None:
    assert answer("thematic-platforms") == [
        ("Smart Specialisation Platform for Agri-Food", "Consumer Involvement in Agrifood Innovation",
         "Region Östergötland", "co-lead", None, "en"),
        ("Smart Specialisation Platform for Agri-Food", "High Tech Farming",
         "Region Östergötland", "participant", "unverified", "en"),
        ("Smart Specialisation Platform on Energy", "Bioenergy", "Region Värmland", "participant", "unverified", "en"),
        ("Smart Specialisation Platform on Energy", "Bioenergy", "Region Västerbotten", "participant",
         "unverified", "en"),
        ("Smart Specialisation Platform on Industrial Modernisation",
         "Smart Regional Investments in Textile Innovation", "Region Västra Götaland", "participant",
         "confirmed", "en"),
    ]
    assert [row[1:5] for row in answer("thematic-platforms", lang="sv")] == [
        ("Bioenergi", "Region Värmland", "deltagare", "obekräftat"),
        ("Bioenergi", "Region Västerbotten", "deltagare", "obekräftat"),
        ("Smarta regionala investeringar i textilinnovation", "Region Västra Götaland", "deltagare", "bekräftat"),
        ("Högteknologiskt jordbruk", "Region Östergötland", "deltagare", "obekräftat"),
        ("Konsumentmedverkan i livsmedelsinnovation", "Region Östergötland", "medledare", None),
    ]


def test_vanguard_initiative(answer: Answer) -> None:
    assert answer("vanguard-initiative") == [
        ("initiative", "Vanguard Initiative", None, "Region Dalarna", "member", "confirmed", "en"),
        ("initiative", "Vanguard Initiative", None, "Region Skåne", "member", "confirmed", "en"),
        ("initiative", "Vanguard Initiative", None, "Region Värmland", "member", "unverified", "en"),
        ("initiative", "Vanguard Initiative", None, "Region Örebro", "member", "unverified", "en"),
        ("pilot", "ADMA Energy", "optimization of products/services in the offshore industry",
         "Region Dalarna", "participant", "unverified", "en"),
        ("pilot", "Bio-Economy - Interregional cooperation on innovative use of non-food biomass",
         "biochemistry", None, None, None, "en"),
        ("pilot", "Efficient and Sustainable Manufacturing", "efficient manufacturing", None, None, None, "en"),
        ("pilot", "High Performance Production through 3D-Printing", "3D printing", None, None, None, "en"),
        ("pilot", "New Nano-Enabled Products", "nanotechnology", "Region Skåne", "co-lead", None, "en"),
    ]
    # ADMA Energy has no Swedish name: it falls back to the English one.
    assert [row[1] for row in answer("vanguard-initiative", lang="sv")][4:6] == [
        "ADMA Energy",
        "Bioekonomi - interregionalt samarbete om innovativ användning av biomassa som inte är livsmedel"]


def test_s3_platform_and_vanguard(answer: Answer) -> None:
    # "Members from Sweden in Vanguard are Dalarna, Skåne, Värmland and Örebro": all four are
    # also among the S3 Platform's eleven.
    assert answer("s3-platform-and-vanguard") == [
        ("Region Örebro", "Örebro County", "SE124", "en"),
        ("Region Skåne", "Skåne County", "SE224", "en"),
        ("Region Värmland", "Värmland County", "SE311", "en"),
        ("Region Dalarna", "Dalarna County", "SE312", "en"),
    ]


# --- 5-6: the pilot for industrial transition -------------------------------------------

def test_industrial_transition_regions(answer: Answer) -> None:
    # Selected in December 2017 (the source: "at the end of 2017"), support in 2018 and 2019.
    assert answer("industrial-transition-regions") == [
        ("BE3", "1", "Région wallonne", "Wallonia", "BE", "2017-12", "2018", "2019", "confirmed"),
        ("DED", "1", "Sachsen", "Saxony", "DE", "2017-12", "2018", "2019", "confirmed"),
        ("FRE", "1", "Hauts-de-France", "Hauts-de-France", "FR", "2017-12", "2018", "2019", "confirmed"),
        ("ITC1", "2", "Piemonte", "Piedmont", "IT", "2017-12", "2018", "2019", "confirmed"),
        ("SE31", "2", "Norra Mellansverige", "North Central Sweden", "SE", "2017-12", "2018", "2019", "confirmed"),
    ]


def test_industrial_transition_counties_need_inference(answer: Answer) -> None:
    # North Central Sweden (SE31) is Värmland, Dalarna and Gävleborg.
    assert answer("industrial-transition-counties") == [
        ("SE311", "Värmland County", "SE31", "Norra Mellansverige", "en"),
        ("SE312", "Dalarna County", "SE31", "Norra Mellansverige", "en"),
        ("SE313", "Gävleborg County", "SE31", "Norra Mellansverige", "en"),
    ]
    assert answer("industrial-transition-counties", infer=False) == []
    assert [row[1] for row in answer("industrial-transition-counties", lang="sv")] == [
        "Värmlands län", "Dalarnas län", "Gävleborgs län"]


# --- 7: Interreg ----------------------------------------------------------------------------

def test_interreg_projects(answer: Answer) -> None:
    finland = "The Baltic Institute of Finland"
    assert answer("interreg-projects") == [
        ("BSR Stars S3", "Interreg Baltic Sea Region", "2016", "2019-04", finland, "Region Värmland",
         "contradicted"),
        ("Beyond EDP", "Interreg Europe", "2016-04-01", "2021-03-31",
         "Centre-Val de Loire regional innovation agency", "Region Östergötland", "confirmed"),
        ("LARS - Learning Among Regions on Smart Specialisation", "Interreg Baltic Sea Region", "2017-10",
         "2020-09", "Regional Council of Ostrobothnia", "Region Västerbotten", "confirmed"),
        ("S34Growth", "Interreg Europe", "2016-04-01", "2020-03-31", finland, "Region Skåne", "confirmed"),
        ("S34Growth", "Interreg Europe", "2021-10-01", "2022-09-30", finland, "Region Skåne", "confirmed"),
    ]


# --- 8-10: regions ---------------------------------------------------------------------------

DALARNA_PROFILE = [
    ("ADMA Energy", "through its authority", "Region Dalarna", None, "participant", None, None, SWEDEN),
    ("Pilot for industrial transformation", "through a larger territory", "Norra Mellansverige", None,
     "pilot region", "2018", "2019", SRC + "ec-industrial-transition-pilot"),
    ("Pilot for industrial transformation", "through a larger territory", "Norra Mellansverige", None,
     "pilot region", "2018", "2019", SWEDEN),
    ("Smart Specialisation Platform", "through its authority", "Region Dalarna", None, "member", None, None,
     SWEDEN),
    ("Vanguard Initiative", "through a component", "Region Dalarna", "ADMA Energy", "participant", None, None,
     SWEDEN),
    ("Vanguard Initiative", "through its authority", "Region Dalarna", None, "member", None, None, SWEDEN),
    ("Vanguard Initiative", "through its authority", "Region Dalarna", None, "member", None, None,
     SRC + "vanguard-initiative"),
]


@pytest.mark.parametrize("region", [None, "SE312", "se312", "SE-W", "Dalarna", "Dalarnas län", "Region Dalarna"])
def test_region_profile_by_nuts_iso_or_name(answer: Answer, region: str | None) -> None:
    values = {} if region is None else {"region": region}
    assert answer("region-profile", **values) == [(TERRITORY + "SE312", *row) for row in DALARNA_PROFILE]


def test_region_profile_through_components_and_directly(answer: Answer) -> None:
    assert answer("region-profile", region="Östergötland") == [(TERRITORY + "SE123", *row) for row in [
        ("Beyond EDP", "through its authority", "Region Östergötland", None, "partner", "2016-04-01",
         "2021-03-31", SRC + "interreg-europe-projects"),
        ("Beyond EDP", "through its authority", "Region Östergötland", None, "partner", "2016-04-01",
         "2021-03-31", SWEDEN),
        ("Consumer Involvement in Agrifood Innovation", "through its authority", "Region Östergötland", None,
         "co-lead", None, None, SRC + "s3-agrifood-consumer-involvement"),
        ("High Tech Farming", "through its authority", "Region Östergötland", None, "participant", None, None,
         SWEDEN),
        ("Smart Specialisation Platform", "through its authority", "Region Östergötland", None, "member", None,
         None, SWEDEN),
        ("Smart Specialisation Platform for Agri-Food", "through a component", "Region Östergötland",
         "Consumer Involvement in Agrifood Innovation", "co-lead", None, None,
         SRC + "s3-agrifood-consumer-involvement"),
        ("Smart Specialisation Platform for Agri-Food", "through a component", "Region Östergötland",
         "High Tech Farming", "participant", None, None, SWEDEN),
    ]]
    assert answer("region-profile", region="SE31") == [
        (TERRITORY + "SE31", "Pilot for industrial transformation", "direct", "Norra Mellansverige", None,
         "pilot region", "2018", "2019", source) for source in (SRC + "ec-industrial-transition-pilot", SWEDEN)]
    assert answer("region-profile", region="SE-C") == []
    assert answer("region-profile", infer=False) == []


def test_regions_by_collaborations(answer: Answer) -> None:
    # Värmland: S3 Platform, Bioenergy and its energy platform, Vanguard, BSR Stars S3, and the
    # pilot through North Central Sweden; Östergötland: S3 Platform, High Tech Farming, Consumer
    # Involvement and their agri-food platform, Beyond EDP; and so on.
    counts = {"Värmland": 6, "Östergötland": 5, "Skåne": 4, "Dalarna": 4, "Västerbotten": 4,
              "Västra Götaland": 3, "Örebro": 2, "Gävleborg": 2, "Stockholm": 1, "Södermanland": 1,
              "Jämtland": 1}
    expected = sorted(((NUTS3[name], f"{name} County", str(counts.get(name, 0)), "en") for name, *_ in COUNTIES),
                      key=lambda row: (-int(row[2]), row[0]))
    assert answer("regions-by-collaborations") == expected


def test_counties_without_collaborations(answer: Answer) -> None:
    expected = [(nuts, iso, f"{name} County", "en") for name, nuts, iso, _, _ in COUNTIES
                if name in COUNTIES_WITHOUT]
    assert len(expected) == 10
    assert answer("counties-without-collaborations") == expected
    assert len(answer("counties-without-collaborations", infer=False)) == 21


def test_region_identifiers(answer: Answer) -> None:
    sweden = "http://publications.europa.eu/resource/authority/country/SWE"
    assert answer("region-identifiers") == [
        (f"{name} County", nuts, iso, "http://data.europa.eu/nuts/code/" + nuts,
         "http://www.wikidata.org/entity/" + qid, sweden, "en") for name, nuts, iso, qid, _ in COUNTIES]
    assert [row[0] for row in answer("region-identifiers", lang="sv")] == [sv for *_, sv in COUNTIES]


# --- 11-12: topics and time ------------------------------------------------------------------

BY_TOPIC = {
    "industrial-modernisation": [
        ("ADMA Energy", "advanced manufacturing"),
        ("Efficient and Sustainable Manufacturing", "efficient and sustainable manufacturing"),
        ("High Performance Production through 3D-Printing", "3D printing"),
        ("Pilot for industrial transformation", "industrial transition"),
        ("S34Growth", "industrial modernisation"),
        ("Smart Regional Investments in Textile Innovation", "textiles"),
        ("Smart Specialisation Platform on Industrial Modernisation", "industrial modernisation"),
        ("Vanguard Initiative", "industrial modernisation"),
    ],
    "energy": [
        ("ADMA Energy", "offshore industry"),
        ("Bioenergy", "bioenergy"),
        ("Smart Specialisation Platform on Energy", "energy"),
    ],
    "bio-economy": [
        ("BSR Stars S3", "bio-economy"),
        ("Bio-Economy - Interregional cooperation on innovative use of non-food biomass", "bio-economy"),
        ("Bio-Economy - Interregional cooperation on innovative use of non-food biomass", "biochemistry"),
        ("Bioenergy", "bioenergy"),
    ],
    "smart-specialisation": [
        ("Beyond EDP", "entrepreneurial discovery"),
        ("LARS - Learning Among Regions on Smart Specialisation", "smart specialisation"),
        ("S34Growth", "interregional cooperation"),
        ("Smart Specialisation Platform", "smart specialisation"),
    ],
    "textiles": [("Smart Regional Investments in Textile Innovation", "textiles")],
    "no-such-topic": [],
}


@pytest.mark.parametrize("topic", sorted(BY_TOPIC))
def test_collaborations_by_topic(answer: Answer, engine: Engine, topic: str) -> None:
    if topic == "industrial-modernisation":
        found = answer("collaborations-by-topic")
    else:
        found = answer("collaborations-by-topic", topic=TOPIC + topic)
    assert found == [(TOPIC + topic, name, matched, "en") for name, matched in BY_TOPIC[topic]]


def test_collaborations_by_topic_agree_with_the_inferred_covers_topic(
        catalog: Catalog, built: BuiltGraph, engine: Engine) -> None:
    dataset = select_dataset(built, infer=True)
    for topic in BY_TOPIC:
        covering = rows(engine, dataset, f"""
            SELECT DISTINCT ?name WHERE {{
              ?c s3:coversTopic <{TOPIC}{topic}> ; rdfs:label ?name . FILTER(LANG(?name) = "en")
            }} ORDER BY ?name""")
        found = run(catalog, built, engine, "collaborations-by-topic", True, {"topic": TOPIC + topic})
        assert sorted({str(row[1]) for row in found}) == [row[0] for row in covering], topic


ACTIVE = {
    "2018": [
        ("BSR Stars S3", "2016", "2019-04"),
        ("Beyond EDP", "2016-04-01", "2021-03-31"),
        ("Bioenergy", "2016", None),
        ("LARS - Learning Among Regions on Smart Specialisation", "2017-10", "2020-09"),
        ("Pilot for industrial transformation", "2017-09-29", "2019"),
        ("Pilot for industrial transformation", "2018", "2019"),
        ("S34Growth", "2016-04-01", "2020-03-31"),
        ("Smart Specialisation Platform for Agri-Food", "2016-12-06", None),
    ],
    "2021": [
        ("Beyond EDP", "2016-04-01", "2021-03-31"),
        ("Bioenergy", "2016", None),
        ("S34Growth", "2021-10-01", "2022-09-30"),
        ("Smart Specialisation Platform for Agri-Food", "2016-12-06", None),
    ],
    "2015": [],
}


@pytest.mark.parametrize("year", sorted(ACTIVE))
def test_active_in_year(answer: Answer, year: str) -> None:
    found = answer("active-in-year") if year == "2018" else answer("active-in-year", year=year)
    assert found == [(year, *row) for row in ACTIVE[year]]


# --- 13-15: sources and claims --------------------------------------------------------------

def _source_only_facts() -> list[Row]:
    """What only the source document says, transcribed from it."""
    facts: list[Row] = []
    for county, slug in S3_PLATFORM_MEMBERS:
        facts.append((AUTHORITY + f"region-{slug}", S3 + "governs", TERRITORY + NUTS3[county]))
    participations = [(f"s3-platform-{slug}", slug, "s3-platform", "member") for _, slug in S3_PLATFORM_MEMBERS]
    participations += [
        ("high-tech-farming-ostergotland", "ostergotland", "high-tech-farming", "participant"),
        ("bioenergy-varmland", "varmland", "bioenergy", "participant"),
        ("bioenergy-vasterbotten", "vasterbotten", "bioenergy", "participant"),
        ("vanguard-varmland", "varmland", "vanguard-initiative", "member"),
        ("vanguard-orebro", "orebro", "vanguard-initiative", "member"),
        ("adma-dalarna", "dalarna", "vanguard-adma-energy", "participant"),
    ]
    for participation, member, collaboration, role in participations:
        facts += [(PART + participation, ORG + "member", AUTHORITY + f"region-{member}"),
                  (PART + participation, ORG + "organization", COLLAB + collaboration),
                  (PART + participation, ORG + "role", ROLE + role)]
    # The thematic platforms' own pages confirm Västra Götaland in the textile partnership, not its role.
    facts.append((PART + "textile-innovation-vastra-gotaland", ORG + "role", ROLE + "participant"))
    # "selected at the end of 2017": the Commission gives the month, a different (finer) value.
    for region in ("se31", "itc1", "ded", "be3", "fre"):
        facts.append((PART + f"industrial-transition-{region}", S3 + "selectedOn", "2017"))
    for platform in ("s3-platform", "s3p-industry", "s3p-agri-food", "s3p-energy"):
        facts.append((COLLAB + platform, S3 + "launchedBy", ID + "organisation/european-commission"))
    return sorted(facts)


def test_source_only_facts(answer: Answer) -> None:
    expected = _source_only_facts()
    assert len(expected) == 72
    assert answer("source-only-facts") == expected


@pytest.mark.parametrize(("subject", "count"), [
    (PART + "adma-dalarna", 3),                    # rests on the source alone (claim unverified)
    (PART + "vanguard-dalarna", 0),                # confirmed by the Initiative's own material
    (PART + "industrial-transition-se31", 1),      # only the source's "2017"
    (COLLAB + "industrial-transition-pilot", 0),   # the Commission says the same
])
def test_source_only_facts_about_one_resource(answer: Answer, subject: str, count: int) -> None:
    expected = [row for row in _source_only_facts() if row[0] == subject]
    assert len(expected) == count
    assert answer("source-only-facts", subject=subject) == expected


def test_contradicted_facts(answer: Answer) -> None:
    assert answer("contradicted-facts") == [
        (CLAIM + "bioenergy-is-a-project", COLLAB + "bioenergy", S3 + "nameInSource", "Bioenergy project",
         SWEDEN, SRC + "s3-thematic-platforms",
         "The source calls Bioenergy a project; the S3 Platform gives it as a thematic partnership set up in "
         "2016, led by Lapland and Castilla y León."),
        (CLAIM + "bsr-stars-s3-varmland", PART + "bsr-stars-s3-varmland", None, None,
         SWEDEN, SRC + "bsr-stars-earlier-text",
         "The programme's project pages give Värmland as the Swedish partner in BSR Stars S3, as the source "
         "does; an earlier text named Skåne."),
        (CLAIM + "lars-end", ID + "interval/lars-end", "http://www.w3.org/2006/time#inXSDgYearMonth", "2020-09",
         SRC + "interreg-bsr-projects", SRC + "lars-alternative-dates",
         "LARS ended in September 2020 according to the programme's project pages; another description gives "
         "March 2021."),
        (CLAIM + "vanguard-biochemistry", COLLAB + "vanguard-bio-economy", S3 + "nameInSource", "biochemistry",
         SWEDEN, SRC + "vanguard-initiative",
         "The source names a Vanguard focus area 'biochemistry'; the Initiative's pilot is Bio-Economy - "
         "Interregional cooperation on innovative use of non-food biomass."),
    ]


# claim slug: (what it is about, confirmed by, contradicted by)
CLAIMS: dict[str, dict[str, tuple[str, str | None, str | None]]] = {
    "confirmed": {
        "beyond-edp-ostergotland": ("participation/beyond-edp-ostergotland", "interreg-europe-projects", None),
        **{f"industrial-transition-{r}": (f"participation/industrial-transition-{r}",
                                          "ec-industrial-transition-pilot", None)
           for r in ("be3", "ded", "fre", "itc1", "se31")},
        "industrial-transition-one-of-five": ("collaboration/industrial-transition-pilot",
                                              "ec-industrial-transition-pilot", None),
        "lars-vasterbotten": ("participation/lars-vasterbotten", "interreg-bsr-projects", None),
        "s34growth-skane": ("participation/s34growth-skane", "interreg-europe-projects", None),
        "textile-innovation-vastra-gotaland": ("participation/textile-innovation-vastra-gotaland",
                                               "s3-thematic-platforms", None),
        "vanguard-dalarna": ("participation/vanguard-dalarna", "vanguard-initiative", None),
        "vanguard-skane": ("participation/vanguard-skane", "vanguard-initiative", None),
    },
    "contradicted": {
        "bioenergy-is-a-project": ("collaboration/bioenergy", None, "s3-thematic-platforms"),
        "bsr-stars-s3-varmland": ("participation/bsr-stars-s3-varmland", "interreg-bsr-projects",
                                  "bsr-stars-earlier-text"),
        "lars-end": ("interval/lars-end", None, "lars-alternative-dates"),
        "vanguard-biochemistry": ("collaboration/vanguard-bio-economy", None, "vanguard-initiative"),
    },
    "unverified": {
        "adma-dalarna": ("participation/adma-dalarna", None, None),
        "adma-expansion": ("collaboration/vanguard-adma-energy", None, None),
        "bioenergy-varmland": ("participation/bioenergy-varmland", None, None),
        "bioenergy-vasterbotten": ("participation/bioenergy-vasterbotten", None, None),
        "high-tech-farming-ostergotland": ("participation/high-tech-farming-ostergotland", None, None),
        **{f"s3-platform-{slug}": (f"participation/s3-platform-{slug}", None, None)
           for _, slug in S3_PLATFORM_MEMBERS},
        "vanguard-3d-printing-title": ("collaboration/vanguard-3d-printing", None, None),
        "vanguard-orebro": ("participation/vanguard-orebro", None, None),
        "vanguard-varmland": ("participation/vanguard-varmland", None, None),
        "wallonia-wikidata": ("territory/BE3", None, None),
    },
}


def _claims(status: str, given: str | None) -> list[Row]:
    return [(CLAIM + slug, ID + about, status, confirmed and SRC + confirmed, contradicted and SRC + contradicted,
             given) for slug, (about, confirmed, contradicted) in sorted(CLAIMS[status].items())]


def test_claim_status_of_every_claim(answer: Answer) -> None:
    expected = [row for status in sorted(CLAIMS) for row in _claims(status, None)]
    assert len(expected) == 36
    assert answer("claim-status") == expected


@pytest.mark.parametrize("status", sorted(CLAIMS))
def test_claim_status_of_one_status(answer: Answer, status: str) -> None:
    assert answer("claim-status", status=status) == _claims(status, status)


# --- More: finding and listing collaborations ----------------------------------------------

def test_collaboration_search(answer: Answer) -> None:
    assert answer("collaboration-search") == [
        ("ADMA Energy", "ADMA Energy", "energy"),
        ("Bioenergy", "Bioenergy", "energy"),
        ("Bioenergy", "Bioenergy project", "energy"),
        ("Smart Specialisation Platform on Energy", "S3PEnergy", "energy"),
        ("Smart Specialisation Platform on Energy", "Smart Specialisation Platform on Energy", "energy"),
        ("Smart Specialisation Platform on Energy", "energy", "energy"),
    ]
    assert answer("collaboration-search", text="VANGUARD") == [
        ("Vanguard Initiative", "Vanguard Initiative", "VANGUARD"),
        ("Vanguard Initiative", "Vanguard-initiativet", "VANGUARD"),
    ]
    assert answer("collaboration-search", text="biochemistry") == [
        ("Bio-Economy - Interregional cooperation on innovative use of non-food biomass", "biochemistry",
         "biochemistry")]


def test_collaborations(answer: Answer) -> None:
    industry = "Smart Specialisation Platform on Industrial Modernisation"
    agri_food = "Smart Specialisation Platform for Agri-Food"
    energy = "Smart Specialisation Platform on Energy"
    bsr, europe, vanguard = "Interreg Baltic Sea Region", "Interreg Europe", "Vanguard Initiative"
    assert answer("collaborations") == [(name, kind, within, named, "en") for name, kind, within, named in [
        (bsr, "Interreg programme", None, "false"),
        (europe, "Interreg programme", None, "false"),
        ("BSR Stars S3", "Interreg project", bsr, "true"),
        ("Beyond EDP", "Interreg project", europe, "true"),
        ("LARS - Learning Among Regions on Smart Specialisation", "Interreg project", bsr, "true"),
        ("S34Growth", "Interreg project", europe, "true"),
        (vanguard, "initiative", None, "true"),
        ("ADMA Energy", "initiative pilot", vanguard, "true"),
        ("Bio-Economy - Interregional cooperation on innovative use of non-food biomass", "initiative pilot",
         vanguard, "true"),
        ("Efficient and Sustainable Manufacturing", "initiative pilot", vanguard, "true"),
        ("High Performance Production through 3D-Printing", "initiative pilot", vanguard, "true"),
        ("New Nano-Enabled Products", "initiative pilot", vanguard, "true"),
        ("Smart Specialisation Platform", "platform", None, "true"),
        ("Pilot for industrial transformation", "policy pilot", None, "true"),
        (agri_food, "thematic S3 platform", None, "true"),
        (energy, "thematic S3 platform", None, "true"),
        (industry, "thematic S3 platform", None, "true"),
        ("Bioenergy", "thematic partnership", energy, "true"),
        ("Consumer Involvement in Agrifood Innovation", "thematic partnership", agri_food, "false"),
        ("High Tech Farming", "thematic partnership", agri_food, "true"),
        ("Smart Regional Investments in Textile Innovation", "thematic partnership", industry, "true"),
    ]]


TESTED = {
    "s3-platform-members", "thematic-platforms", "vanguard-initiative", "s3-platform-and-vanguard",
    "industrial-transition-regions", "industrial-transition-counties", "interreg-projects",
    "region-profile", "regions-by-collaborations", "counties-without-collaborations",
    "collaborations-by-topic", "active-in-year", "source-only-facts", "contradicted-facts", "claim-status",
    "region-identifiers", "collaboration-search", "collaborations",
}
