"""The built graph answers SPARQL questions with the facts of the sources, exactly.

Expected values are transcribed from the source document and the identifier tables the
data was made from; the tests never read anything outside the project.
"""

from __future__ import annotations

import pytest

from s3graph.build.store import BuiltGraph
from s3graph.query.engines import DatasetSpec, Engine
from tests import expected
from tests.helpers import column, rows

GRAPH = "https://w3id.org/s3graph/graph/"
TERRITORY = "https://w3id.org/s3graph/id/territory/"
NUTS = "http://data.europa.eu/nuts/code/"
WD = "http://www.wikidata.org/entity/"

# county (English short name), ISO 3166-2, NUTS-3, NUTS-2, Wikidata QID
COUNTIES = [(c.name, c.iso, c.nuts, c.nuts2, c.wikidata) for c in expected.COUNTIES]

# NUTS-2 code, name, NUTS-1 parent
NUTS2 = [
    ("SE11", "Stockholm", "SE1"),
    ("SE12", "Östra Mellansverige", "SE1"),
    ("SE21", "Småland med öarna", "SE2"),
    ("SE22", "Sydsverige", "SE2"),
    ("SE23", "Västsverige", "SE2"),
    ("SE31", "Norra Mellansverige", "SE3"),
    ("SE32", "Mellersta Norrland", "SE3"),
    ("SE33", "Övre Norrland", "SE3"),
]

NUTS1 = [("SE1", "Östra Sverige"), ("SE2", "Södra Sverige"), ("SE3", "Norra Sverige")]

# The members by their official names (data/authorities.ttl), not the source's words.
S3_PLATFORM_MEMBERS = [expected.AUTHORITIES[county][1] for county, _ in expected.S3_PLATFORM_MEMBERS]


def official(county: str) -> str:
    """The official name of the regional authority acting for `county`."""
    return expected.AUTHORITIES[county][1]


COUNTY_QUERY = """
SELECT ?name ?iso ?nuts3 ?nuts2 ?qid ?concept WHERE {
  ?county a s3:County ; s3:nutsCode ?nuts3 ; s3:isoCode ?iso ; s3:wikidataItem ?item ;
          s3:nutsConcept ?concept ; s3:directlyWithin ?region ; skos:altLabel ?name .
  ?region s3:nutsCode ?nuts2 .
  FILTER(LANG(?name) = "en")
  BIND(STRAFTER(STR(?item), "http://www.wikidata.org/entity/") AS ?qid)
} ORDER BY ?nuts3
"""

INDUSTRIAL_TRANSITION_BY_LARGER_TERRITORY = """
SELECT ?code WHERE {
  ?county s3:participatesThroughLargerTerritory collab:industrial-transition-pilot ;
          s3:participatesIn collab:industrial-transition-pilot ;
          s3:nutsCode ?code .
} ORDER BY ?code
"""

CONTRADICTED_CLAIMS = """
SELECT ?claim ?by WHERE {
  ?claim a s3:Claim ; s3:claimStatus s3:Contradicted ; s3:contradictedBy ?by .
} ORDER BY ?claim ?by
"""


def both(engine: Engine, rdflib_engine: Engine, dataset: DatasetSpec,
         query: str) -> list[tuple[str | None, ...]]:
    """The rows of `query` from Oxigraph, after checking rdflib gives exactly the same rows."""
    ox_rows = rows(engine, dataset, query)
    assert rows(rdflib_engine, dataset, query) == ox_rows
    return ox_rows


# --- Territories ---------------------------------------------------------------------------

def test_there_are_21_counties(engine: Engine, asserted: DatasetSpec) -> None:
    assert column(engine, asserted, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a s3:County }") == ["21"]


def test_counties_have_their_nuts_iso_and_wikidata_codes(
        engine: Engine, rdflib_engine: Engine, asserted: DatasetSpec) -> None:
    expected = [(name, iso, nuts3, nuts2, qid, NUTS + nuts3) for name, iso, nuts3, nuts2, qid in COUNTIES]
    assert both(engine, rdflib_engine, asserted, COUNTY_QUERY) == expected


def test_counties_are_nuts3_regions_of_level_3_in_sweden(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?code WHERE {
          ?c a s3:County, s3:NUTS3Region ; s3:nutsLevel 3 ; s3:country territory:SE ; s3:nutsCode ?code
        } ORDER BY ?code""")
    assert [r[0] for r in found] == sorted(c[2] for c in COUNTIES)


def test_sweden_has_8_nuts2_regions_with_their_nuts1_parents(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?code ?name ?parent ?concept WHERE {
          ?r a s3:NUTS2Region ; s3:nutsLevel 2 ; s3:country territory:SE ; s3:nutsCode ?code ;
             rdfs:label ?name ; s3:directlyWithin ?p ; s3:nutsConcept ?concept .
          ?p a s3:NUTS1Region ; s3:nutsCode ?parent .
          FILTER(LANG(?name) = "sv")
        } ORDER BY ?code""")
    assert found == [(code, name, parent, NUTS + code) for code, name, parent in NUTS2]


def test_sweden_has_3_nuts1_regions_directly_within_the_country(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?code ?name ?concept WHERE {
          ?r a s3:NUTS1Region ; s3:nutsLevel 1 ; s3:country territory:SE ; s3:nutsCode ?code ;
             rdfs:label ?name ; s3:directlyWithin territory:SE ; s3:nutsConcept ?concept .
          FILTER(LANG(?name) = "sv")
        } ORDER BY ?code""")
    assert found == [(code, name, NUTS + code) for code, name in NUTS1]


def test_a_county_lies_within_every_larger_territory_with_inference(
        engine: Engine, inferred: DatasetSpec, asserted: DatasetSpec) -> None:
    query = "SELECT ?code WHERE { territory:SE312 s3:within/s3:nutsCode ?code } ORDER BY ?code"
    assert column(engine, inferred, query) == ["SE", "SE3", "SE31"]
    assert column(engine, asserted, query) == []


def test_sweden_links_to_nuts_and_the_eu_country_authority(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?code ?iso ?nuts ?eu WHERE {
          territory:SE a s3:Country ; s3:nutsCode ?code ; s3:isoCode ?iso ; s3:nutsLevel 0 ;
                       s3:nutsConcept ?nuts ; s3:euCountryAuthority ?eu .
        }""")
    assert found == [("SE", "SE", NUTS + "SE",
                      "http://publications.europa.eu/resource/authority/country/SWE")]


def test_nuts_concepts_are_exact_matches_of_the_territories_with_inference(
        engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, f"""
        SELECT ?match WHERE {{ <{NUTS}SE312> skos:exactMatch ?match }} ORDER BY ?match""")
    assert found == [WD + "Q103732", TERRITORY + "SE312"]


# --- Platforms, initiatives and partnerships -----------------------------------------------

def test_s3_platform_has_the_11_swedish_members_by_name(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    found = both(engine, rdflib_engine, inferred, """
        SELECT DISTINCT ?name WHERE {
          ?p a s3:Participation ; org:organization collab:s3-platform ; org:role role:member ;
             org:member ?m .
          ?m a s3:RegionalAuthority ; rdfs:label ?name . FILTER(LANG(?name) = "en")
        } ORDER BY ?name""")
    assert [r[0] for r in found] == sorted(S3_PLATFORM_MEMBERS)


def test_vanguard_initiative_has_4_swedish_members(engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, """
        SELECT DISTINCT ?name WHERE {
          ?p org:organization collab:vanguard-initiative ; org:role role:member ; org:member ?m .
          ?m rdfs:label ?name . FILTER(LANG(?name) = "en")
        } ORDER BY ?name""")
    assert found == sorted(official(county) for county in ("Dalarna", "Skåne", "Värmland", "Örebro"))
    assert found == ["Region Dalarna", "Region Skåne", "Region Värmland", "Region Örebro län"]


def test_vanguard_initiative_runs_5_pilots(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT DISTINCT ?pilot ?name WHERE {
          ?pilot a s3:InitiativePilot ; s3:componentOf collab:vanguard-initiative ; rdfs:label ?name .
          FILTER(LANG(?name) = "en")
        } ORDER BY ?pilot""")
    collab = "https://w3id.org/s3graph/id/collaboration/"
    assert found == [
        (collab + "vanguard-3d-printing", "High Performance Production through 3D-Printing"),
        (collab + "vanguard-adma-energy", "ADMA Energy"),
        (collab + "vanguard-bio-economy",
         "Bio-Economy – Interregional cooperation on innovative use of non-food biomass"),  # an en dash
        (collab + "vanguard-efficient-manufacturing", "Efficient and Sustainable Manufacturing"),
        (collab + "vanguard-nano", "New Nano-Enabled Products"),
    ]


def test_vanguard_pilots_keep_the_words_of_the_source(engine: Engine, asserted: DatasetSpec) -> None:
    found = column(engine, asserted, """
        SELECT DISTINCT ?words WHERE {
          ?pilot s3:componentOf collab:vanguard-initiative ; s3:nameInSource ?words
        } ORDER BY ?words""")
    assert found == ["3D printing", "ADMA (Advanced Manufacturing)", "biochemistry",
                     "efficient manufacturing", "nanotechnology",
                     "optimization of products/services in the offshore industry"]


def test_dalarna_takes_part_in_the_adma_pilot(engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, """
        SELECT DISTINCT ?name WHERE {
          ?p org:organization collab:vanguard-adma-energy ; org:member ?m .
          ?m rdfs:label ?name . FILTER(LANG(?name) = "en")
        }""")
    assert found == ["Region Dalarna"]


def test_there_are_3_thematic_platforms(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT DISTINCT ?platform ?name WHERE {
          ?platform a s3:ThematicPlatform ; rdfs:label ?name . FILTER(LANG(?name) = "en")
        } ORDER BY ?name""")
    assert [name for _, name in found] == [
        "Smart Specialisation Platform for Agri-Food",
        "Smart Specialisation Platform on Energy",
        "Smart Specialisation Platform on Industrial Modernisation",
    ]


def test_swedish_participants_of_the_thematic_partnerships(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    found = both(engine, rdflib_engine, inferred, """
        SELECT DISTINCT ?partnership ?platform ?member WHERE {
          ?c a s3:ThematicPartnership ; rdfs:label ?partnership ; s3:componentOf ?pl .
          ?pl a s3:ThematicPlatform ; rdfs:label ?platform .
          ?p org:organization ?c ; org:member ?m .
          ?m s3:governs/s3:country territory:SE ; rdfs:label ?member .
          FILTER(LANG(?partnership) = "en" && LANG(?platform) = "en" && LANG(?member) = "en")
          FILTER(?c != collab:consumer-involvement)
        } ORDER BY ?partnership ?member""")
    assert found == [
        ("Bioenergy", "Smart Specialisation Platform on Energy", "Region Värmland"),
        ("Bioenergy", "Smart Specialisation Platform on Energy", "Region Västerbotten"),
        ("High Tech Farming", "Smart Specialisation Platform for Agri-Food", "Region Östergötland"),
        ("Smart Regional Investments in Textile Innovation",
         "Smart Specialisation Platform on Industrial Modernisation", "Västra Götalandsregionen"),
    ]


def test_partnership_participants_take_part_in_the_platform_with_inference(
        engine: Engine, inferred: DatasetSpec, asserted: DatasetSpec) -> None:
    query = """SELECT DISTINCT ?who WHERE {
        ?who s3:participatesThroughComponent collab:s3p-energy } ORDER BY ?who"""
    authority = "https://w3id.org/s3graph/id/authority/"
    assert column(engine, inferred, query) == [
        authority + "region-varmland",
        authority + "region-vasterbotten",
        "https://w3id.org/s3graph/id/organisation/castilla-y-leon",
        "https://w3id.org/s3graph/id/organisation/lapland",
        TERRITORY + "SE311",
        TERRITORY + "SE331",
    ]
    assert column(engine, asserted, query) == []


# --- The pilot for industrial transition ---------------------------------------------------

def test_industrial_transition_pilot_has_5_regions_at_their_nuts_levels(
        engine: Engine, rdflib_engine: Engine, asserted: DatasetSpec) -> None:
    found = both(engine, rdflib_engine, asserted, """
        SELECT DISTINCT ?code ?level ?concept WHERE {
          ?p org:organization collab:industrial-transition-pilot ; org:role role:pilot-region ;
             org:member ?region .
          ?region s3:nutsCode ?code ; s3:nutsLevel ?level ; s3:nutsConcept ?concept .
        } ORDER BY ?code""")
    assert found == [(code, level, NUTS + code) for code, level in
                     [("BE3", "1"), ("DED", "1"), ("FRE", "1"), ("ITC1", "2"), ("SE31", "2")]]


def test_north_central_sweden_counties_take_part_in_the_pilot_with_inference(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    found = both(engine, rdflib_engine, inferred, INDUSTRIAL_TRANSITION_BY_LARGER_TERRITORY)
    assert [r[0] for r in found] == ["SE311", "SE312", "SE313"]


def test_north_central_sweden_counties_take_part_in_nothing_without_inference(
        engine: Engine, rdflib_engine: Engine, asserted: DatasetSpec) -> None:
    assert both(engine, rdflib_engine, asserted, INDUSTRIAL_TRANSITION_BY_LARGER_TERRITORY) == []
    assert column(engine, asserted, """
        SELECT ?t WHERE { ?t s3:participatesIn collab:industrial-transition-pilot }""") == []


def test_dalarna_county_takes_part_in_the_pilot_through_se31(engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, """
        SELECT ?p WHERE { territory:SE312 ?p collab:industrial-transition-pilot } ORDER BY ?p""")
    s3 = "https://w3id.org/s3graph/ontology#"
    assert found == [s3 + "participatesIn", s3 + "participatesThroughLargerTerritory"]


def test_an_authority_does_not_inherit_participation_from_its_territory(
        engine: Engine, inferred: DatasetSpec) -> None:
    found = column(engine, inferred, """
        SELECT ?who WHERE { ?who s3:participatesIn collab:industrial-transition-pilot ;
                                 a s3:RegionalAuthority }""")
    assert found == []


# --- Interreg ------------------------------------------------------------------------------

def test_interreg_projects_with_programme_lead_and_swedish_partner(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    found = both(engine, rdflib_engine, inferred, """
        SELECT DISTINCT ?project ?programme ?lead ?partner WHERE {
          ?c a s3:InterregProject ; rdfs:label ?project ; s3:programme/rdfs:label ?programme .
          ?lp org:organization ?c ; org:role role:lead-partner ; org:member/rdfs:label ?lead .
          ?sp org:organization ?c ; org:role role:partner ; org:member ?m .
          ?m s3:governs/s3:country territory:SE ; rdfs:label ?partner .
          FILTER(LANG(?project) = "en" && LANG(?programme) = "en" && LANG(?lead) = "en"
                 && LANG(?partner) = "en")
        } ORDER BY ?project ?partner""")
    # The default graph is the merge of every source's graph: BSR Stars S3 has the partner the
    # programme's pages and the source document name (Värmland) and the one an earlier text
    # names (Skåne, data/bsr-stars-earlier-text.ttl); the claims on both say they contradict.
    assert found == [
        ("BSR Stars S3", "Interreg Baltic Sea Region", "The Baltic Institute of Finland",
         "Region Skåne"),
        ("BSR Stars S3", "Interreg Baltic Sea Region", "The Baltic Institute of Finland",
         "Region Värmland"),
        ("Beyond EDP", "Interreg Europe", "Centre-Val de Loire regional innovation agency",
         "Region Östergötland"),
        ("LARS - Learning Among Regions on Smart Specialisation", "Interreg Baltic Sea Region",
         "Regional Council of Ostrobothnia", "Region Västerbotten"),
        ("S34Growth", "Interreg Europe", "The Baltic Institute of Finland", "Region Skåne"),
    ]


def test_interreg_projects_have_their_dates(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT DISTINCT ?project ?begin ?end WHERE {
          ?project a s3:InterregProject ; s3:activeDuring ?i .
          ?i time:hasBeginning ?b ; time:hasEnd ?e .
          OPTIONAL { ?b time:inXSDDate ?bd } OPTIONAL { ?b time:inXSDgYearMonth ?bm }
          OPTIONAL { ?b time:inXSDgYear ?by }
          OPTIONAL { ?e time:inXSDDate ?ed } OPTIONAL { ?e time:inXSDgYearMonth ?em }
          OPTIONAL { ?e time:inXSDgYear ?ey }
          BIND(STR(COALESCE(?bd, ?bm, ?by)) AS ?begin)
          BIND(STR(COALESCE(?ed, ?em, ?ey)) AS ?end)
        } ORDER BY ?project ?begin""")
    collab = "https://w3id.org/s3graph/id/collaboration/"
    assert found == [
        (collab + "beyond-edp", "2016-04-01", "2021-03-31"),
        (collab + "bsr-stars-s3", "2016", "2019-04"),
        (collab + "lars", "2017-10", "2020-09"),
        (collab + "s34growth", "2016-04-01", "2020-03-31"),
        (collab + "s34growth", "2021-10-01", "2022-09-30"),
    ]


def test_interreg_bsr_projects_have_their_number_and_approval(engine: Engine, asserted: DatasetSpec) -> None:
    assert column(engine, asserted, "SELECT ?n WHERE { collab:lars skos:notation ?n }") == ["R042"]
    assert column(engine, asserted,
                  "SELECT ?d WHERE { collab:bsr-stars-s3 dcterms:dateAccepted ?d }") == ["2015-11"]


# --- The default graph is a merge: no duplicate rows ---------------------------------------

def test_a_fact_stated_by_two_sources_is_one_row(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    # part:vanguard-dalarna and part:vanguard-skane are in graph sweden and graph vanguard.
    # The default graph is the RDF merge of the graphs (a set of triples), so each member
    # is one solution, and both engines agree.
    query = """SELECT ?m WHERE {
        ?p org:organization collab:vanguard-initiative ; org:member ?m } ORDER BY ?m"""
    authority = "https://w3id.org/s3graph/id/authority/"
    expected = [authority + name for name in
                ("region-dalarna", "region-orebro", "region-skane", "region-varmland")]
    assert column(rdflib_engine, inferred, query) == expected
    assert column(engine, inferred, query) == expected


def test_counting_members_gives_the_same_count_on_both_engines(
        engine: Engine, rdflib_engine: Engine, inferred: DatasetSpec) -> None:
    query = """SELECT (COUNT(*) AS ?n) WHERE {
        ?p org:organization collab:vanguard-initiative ; org:member ?m }"""
    assert column(rdflib_engine, inferred, query) == ["4"]
    assert column(engine, inferred, query) == ["4"]


# --- Provenance and claim status -----------------------------------------------------------

def test_every_data_graph_is_derived_from_a_source(engine: Engine, asserted: DatasetSpec,
                                                  built: BuiltGraph) -> None:
    found = column(engine, asserted, f"""
        SELECT DISTINCT ?g WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(?g NOT IN (<{GRAPH}ontology>, <{GRAPH}inferred>, <{GRAPH}sources>))
          FILTER NOT EXISTS {{ ?g prov:wasDerivedFrom ?source . ?source a s3:Source }}
        }}""")
    assert found == []
    data_graphs = {g.iri for g in built.graphs if g.role == "data"}
    assert f"{GRAPH}sources" in data_graphs
    assert len(data_graphs) == 20  # one per file of data/


def test_each_data_graph_names_its_sources(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, f"""
        SELECT DISTINCT ?g ?source WHERE {{
          VALUES ?g {{ <{GRAPH}sweden> <{GRAPH}nuts> <{GRAPH}vanguard> <{GRAPH}vanguard-nano-news>
                       <{GRAPH}adma-swedish-material> <{GRAPH}editorial> <{GRAPH}authorities> }}
          ?g prov:wasDerivedFrom ?source
        }} ORDER BY ?g ?source""")
    src = "https://w3id.org/s3graph/id/source/"
    assert found == [
        (f"{GRAPH}adma-swedish-material", src + "adma-swedish-material"),
        (f"{GRAPH}authorities", src + "regional-authority-names"),
        (f"{GRAPH}editorial", src + "s3graph-editorial"),
        (f"{GRAPH}nuts", src + "nuts-2021"),
        (f"{GRAPH}sweden", src + "smart-specialisation-sweden"),
        (f"{GRAPH}vanguard", src + "vanguard-initiative"),
        (f"{GRAPH}vanguard-nano-news", src + "vanguard-nano-news"),
    ]


def test_every_graph_that_names_sources_but_the_claims_names_exactly_one(engine: Engine,
                                                                         asserted: DatasetSpec) -> None:
    # (the sources graph names none: test_every_data_graph_is_derived_from_a_source)
    found = rows(engine, asserted, """
        SELECT ?g (COUNT(DISTINCT ?source) AS ?n) WHERE {
          GRAPH ?g { ?g prov:wasDerivedFrom ?source }
        } GROUP BY ?g HAVING (COUNT(DISTINCT ?source) != 1) ORDER BY ?g""")
    assert found == [(f"{GRAPH}claims", "14")]


def test_every_source_has_a_title_and_a_retrieval_date(engine: Engine, asserted: DatasetSpec) -> None:
    assert column(engine, asserted, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a s3:Source }") == ["20"]
    missing = column(engine, asserted, """
        SELECT ?s WHERE { ?s a s3:Source .
          FILTER(NOT EXISTS { ?s dcterms:title ?t } || NOT EXISTS { ?s s3:retrievedOn ?d }) }""")
    assert missing == []
    assert rows(engine, asserted, """
        SELECT ?title ?date WHERE { src:smart-specialisation-sweden dcterms:title ?title ;
                                                                   s3:retrievedOn ?date }""") == [
        ("Collaboration in the EU (Smart specialisation, Sweden)", "2026-11-24")]


def test_every_participation_cites_a_source(engine: Engine, asserted: DatasetSpec) -> None:
    assert column(engine, asserted,
                  "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a s3:Participation }") == ["40"]
    missing = column(engine, asserted, """
        SELECT ?p WHERE { ?p a s3:Participation FILTER NOT EXISTS { ?p dcterms:source ?s } }""")
    assert missing == []


def test_every_participation_is_the_subject_of_exactly_one_claim(engine: Engine, asserted: DatasetSpec) -> None:
    assert column(engine, asserted, """
        SELECT ?p WHERE { ?p a s3:Participation
          FILTER NOT EXISTS { ?c s3:about ?p } }""") == []
    assert column(engine, asserted, """
        SELECT DISTINCT ?p WHERE { ?p a s3:Participation . ?c1 s3:about ?p . ?c2 s3:about ?p
          FILTER(?c1 != ?c2) }""") == []
    # 40 on participations, 21 on the authorities' official names, 8 on single facts
    assert column(engine, asserted, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a s3:Claim }") == ["69"]
    assert column(engine, asserted, """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a s3:Claim ; rdf:predicate rdfs:label ;
                                                     rdf:subject/a s3:RegionalAuthority }""") == ["21"]


SOURCE_ONLY = f"""
SELECT ?s ?p ?o WHERE {{
  GRAPH <{GRAPH}sweden> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{GRAPH}sweden>) }}
}}
"""


def test_triples_only_in_the_source_include_the_s3_platform_membership_of_jamtland(
        engine: Engine, asserted: DatasetSpec) -> None:
    found = set(rows(engine, asserted, SOURCE_ONLY))
    part = "https://w3id.org/s3graph/id/participation/s3-platform-jamtland"
    assert (part, "http://www.w3.org/ns/org#member",
            "https://w3id.org/s3graph/id/authority/region-jamtland") in found
    assert (part, "http://www.w3.org/ns/org#organization",
            "https://w3id.org/s3graph/id/collaboration/s3-platform") in found


def test_triples_only_in_the_source_leave_out_the_vanguard_membership_of_dalarna(
        engine: Engine, asserted: DatasetSpec) -> None:
    found = set(rows(engine, asserted, SOURCE_ONLY))
    part = "https://w3id.org/s3graph/id/participation/vanguard-dalarna"
    member = (part, "http://www.w3.org/ns/org#member",
              "https://w3id.org/s3graph/id/authority/region-dalarna")
    assert member not in found
    assert column(engine, asserted, """
        SELECT ?g WHERE { GRAPH ?g { part:vanguard-dalarna org:member authority:region-dalarna } }
        ORDER BY ?g""") == [f"{GRAPH}sweden", f"{GRAPH}vanguard"]


def test_contradicted_claims_are_exactly_the_six_in_the_claims_file(
        engine: Engine, rdflib_engine: Engine, asserted: DatasetSpec) -> None:
    claim = "https://w3id.org/s3graph/id/claim/"
    src = "https://w3id.org/s3graph/id/source/"
    # both sides of each contradiction are claims: LARS's two ends, BSR Stars S3's two partners
    assert both(engine, rdflib_engine, asserted, CONTRADICTED_CLAIMS) == [
        (claim + "bioenergy-is-a-project", src + "s3-thematic-platforms"),
        (claim + "bsr-stars-s3-skane", src + "interreg-bsr-projects"),
        (claim + "bsr-stars-s3-skane", src + "smart-specialisation-sweden"),
        (claim + "bsr-stars-s3-varmland", src + "bsr-stars-earlier-text"),
        (claim + "lars-end", src + "lars-alternative-dates"),
        (claim + "lars-end-alternative", src + "interreg-bsr-projects"),
        (claim + "vanguard-biochemistry", src + "vanguard-initiative"),
    ]


def test_contradicted_claims_say_which_fact_they_are_about(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?claim ?about ?subject ?object WHERE {
          ?claim s3:claimStatus s3:Contradicted .
          OPTIONAL { ?claim s3:about ?about }
          OPTIONAL { ?claim rdf:subject ?subject ; rdf:object ?object }
        } ORDER BY ?claim""")
    claim = "https://w3id.org/s3graph/id/claim/"
    collab = "https://w3id.org/s3graph/id/collaboration/"
    part = "https://w3id.org/s3graph/id/participation/"
    interval = "https://w3id.org/s3graph/id/interval/"
    assert found == [
        (claim + "bioenergy-is-a-project", None, collab + "bioenergy", "Bioenergy project"),
        (claim + "bsr-stars-s3-skane", part + "bsr-stars-s3-skane", None, None),
        (claim + "bsr-stars-s3-varmland", part + "bsr-stars-s3-varmland", None, None),
        (claim + "lars-end", None, interval + "lars-end", "2020-09"),
        (claim + "lars-end-alternative", None, interval + "lars-alternative-end", "2021-03"),
        (claim + "vanguard-biochemistry", None, collab + "vanguard-bio-economy", "biochemistry"),
    ]


# --- The ontology --------------------------------------------------------------------------

def test_every_s3_class_and_property_has_labels_and_a_definition(engine: Engine, asserted: DatasetSpec) -> None:
    declared = """
        GRAPH <https://w3id.org/s3graph/graph/ontology> {
          ?term a ?kind .
          VALUES ?kind { <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
                         <http://www.w3.org/2002/07/owl#DatatypeProperty>
                         <http://www.w3.org/2002/07/owl#AnnotationProperty> rdf:Property }
          FILTER(STRSTARTS(STR(?term), "https://w3id.org/s3graph/ontology#"))
        }"""
    terms = column(engine, asserted, f"SELECT (COUNT(DISTINCT ?term) AS ?n) WHERE {{ {declared} }}")
    assert int(terms[0] or 0) == 65
    missing = column(engine, asserted, f"""
        SELECT DISTINCT ?term WHERE {{ {declared}
          FILTER(NOT EXISTS {{ ?term rdfs:label ?en FILTER(LANG(?en) = "en") }}
              || NOT EXISTS {{ ?term rdfs:label ?sv FILTER(LANG(?sv) = "sv") }}
              || NOT EXISTS {{ ?term skos:definition ?d FILTER(LANG(?d) = "en") }})
        }}""")
    assert missing == []


def test_the_ontology_describes_itself(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?version ?title ?license ?creator ?created ?modified (BOUND(?description) AS ?described)
        WHERE {
          <https://w3id.org/s3graph/ontology> a <http://www.w3.org/2002/07/owl#Ontology> ;
              <http://www.w3.org/2002/07/owl#versionIRI> ?version ;
              dcterms:title ?title ; dcterms:license ?license ; dcterms:creator ?creator ;
              dcterms:created ?created ; dcterms:modified ?modified .
          OPTIONAL { <https://w3id.org/s3graph/ontology> dcterms:description ?description
                     FILTER(LANG(?description) = "en") }
          FILTER(LANG(?title) = "en" && DATATYPE(?created) = xsd:date && DATATYPE(?modified) = xsd:date)
        }""")
    assert found == [("https://w3id.org/s3graph/ontology/1.0.0", "s3graph ontology",
                      "https://creativecommons.org/licenses/by/4.0/", "The s3graph developers",
                      "2026-11-24", "2026-11-24", "true")]


# --- Every fact of the source document is in the graph, in its words -----------------------

SOURCE_SENTENCES = [
    "An important part of Smart specialisation is cooperation with other regions.",
    "Several Swedish regions participate in different forms of cooperation with other regions of "
    "the EU and with regions that have complementary strengths, to further strengthen their "
    "competitiveness.",
    "Regions with complementary strengths can find each other through the EU Commission's S3 "
    "platform and also get support.",
    "There are guidelines and support in working with Smart Specialisation.",
    "Region Dalarna, Gävleborg, Jämtland, Skåne, Stockholm, Södermanland, Värmland, Västerbotten, "
    "Västra Götaland, Örebro and Östergötland are Swedish members of the S3 platform.",
    "The EU Commission has also set up three thematic smart specialisation platforms where regions "
    "cooperate within three smart specialisation topics.",
    "One topic is on industrial modernization.",
    "For example, the Västra Götaland region participates in the collaboration Smart Regional "
    "Investments in Textile Innovation.",
    "Another is the Agro-Food platform.",
    "Where, as an example, Östergötland participates in high-tech farming.",
    "The third topic is about energy.",
    "For example, Värmland and Västerbotten participate in the Bioenergy project.",
    "The Vanguard initiative promotes the international competitiveness of European industry "
    "through cooperation between European regions in areas identified in their smart "
    "specialisation strategies.",
    "Members from Sweden in Vanguard are Dalarna, Skåne, Värmland and Örebro.",
    "The five focus areas that have begun are: 3D printing, biochemistry, efficient manufacturing, "
    "nanotechnology and optimization of products/services in the offshore industry.",
    "Dalarna is part of the latter focus area, in a project called ADMA (Advanced Manufacturing).",
    "North Central Sweden is one of five European regions selected at the end of 2017 to "
    "participate in the EU Commission's newly launched pilot for industrial transformation.",
    "In 2018 and 2019, northern central Sweden will therefore benefit from tailor-made expert "
    "support and implement sustainable economic conversion efforts.",
    "The pilot is based on the work of smart specialisation and aims to support the regions in "
    "achieving favourable development through industrial transformation.",
    "The regions selected at the end of 2017 in addition to northern central Sweden are Piedmont, "
    "Saxony, Wallonia and Hauts-de-France.",
    "The Interreg - Beyond EDP aims to strengthen the knowledge of how to conduct entrepreneurial "
    "discovery processes and further develop regional S3.",
    "Swedish partner is Region Östergötland.",
    "The S34Growth aims to develop methods for industry-driven interregional cooperation.",
    "Swedish partner is Region Skåne.",
    "The LARS project - Learning among regions on Smart Specialisation is a project that the "
    "Region of Västerbotten participates in aimed at developing regions in leading Smart "
    "Specialisation processes.",
    "The BSR Stars S3 project promotes interregional partnerships in the field of bio, circular "
    "and digital economics.",
    "Here, Värmland is participating.",
]


@pytest.fixture(scope="module")
def source_texts(engine: Engine, asserted: DatasetSpec) -> list[str]:
    """Every s3:sourceText of the graph of the source document."""
    found = column(engine, asserted, f"""
        SELECT ?text WHERE {{ GRAPH <{GRAPH}sweden> {{ ?r s3:sourceText ?text }} }}""")
    return [text for text in found if text is not None]


@pytest.mark.parametrize("sentence", SOURCE_SENTENCES, ids=lambda s: s[:40])
def test_every_sentence_of_the_source_is_quoted_by_a_resource(sentence: str, source_texts: list[str]) -> None:
    assert any(sentence in text for text in source_texts)


def test_the_source_sentences_of_a_participation_are_cited_with_it(engine: Engine, asserted: DatasetSpec) -> None:
    found = rows(engine, asserted, """
        SELECT ?text ?source WHERE { part:adma-dalarna s3:sourceText ?text ; dcterms:source ?source }""")
    assert found == [("Dalarna is part of the latter focus area, in a project called ADMA "
                      "(Advanced Manufacturing).",
                      "https://w3id.org/s3graph/id/source/smart-specialisation-sweden")]
