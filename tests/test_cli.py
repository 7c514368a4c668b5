"""The command line: validate, stats, query and export, with exact output."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib

from s3graph.build.store import BuiltGraph
from s3graph.cli import main

ROOT = Path(__file__).resolve().parent.parent
INFERRED = "https://w3id.org/s3graph/graph/inferred"
S3 = "https://w3id.org/s3graph/ontology#"
TERRITORY = "https://w3id.org/s3graph/id/territory/"

#: Runs the command line with the given arguments; gives (exit code, stdout, stderr).
Run = Callable[..., tuple[int, str, str]]

NUTS2_CODES = """PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX territory: <https://w3id.org/s3graph/id/territory/>
SELECT ?code WHERE { ?r a s3:NUTS2Region ; s3:country territory:SE ; s3:nutsCode ?code } ORDER BY ?code
"""
CODES = ["SE11", "SE12", "SE21", "SE22", "SE23", "SE31", "SE32", "SE33"]

SE31_COUNTIES = """PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX territory: <https://w3id.org/s3graph/id/territory/>
CONSTRUCT { ?t s3:nutsCode ?c } WHERE { ?t s3:directlyWithin territory:SE31 ; s3:nutsCode ?c }
"""
SE31_TRIPLES = {(TERRITORY + code, S3 + "nutsCode", code) for code in ("SE311", "SE312", "SE313")}

THROUGH_LARGER_TERRITORY = """PREFIX s3: <https://w3id.org/s3graph/ontology#>
PREFIX collab: <https://w3id.org/s3graph/id/collaboration/>
SELECT ?code WHERE {
  ?t s3:participatesThroughLargerTerritory collab:industrial-transition-pilot ; s3:nutsCode ?code
} ORDER BY ?code
"""


@pytest.fixture()
def cli(built: BuiltGraph, cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `s3graph ARGS --cache-dir <session cache>`; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--cache-dir", str(cache_dir)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in the file by `new`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- validate ------------------------------------------------------------------------------

def test_validate_says_the_bundled_data_conforms(cli: Run) -> None:
    assert cli("validate") == (0, "The data conforms to the shapes.\n", "")


def test_validate_a_broken_copy_exits_1_with_the_violations(
        data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(data_copy / "nuts.ttl", 's3:nutsCode "SE312"', 's3:nutsCode "SE31X"')
    code = main(["validate", "--data-dir", str(data_copy), "--cache-dir", str(tmp_path)])
    out, _ = capsys.readouterr()
    assert code == 1
    assert out == ("1 violation(s) of the shapes:\n"
                   f"  Violation: <{TERRITORY}SE312> (path <{S3}nutsCode>): "
                   "A county has exactly one NUTS-3 code of the form SE followed by three digits.\n")


# --- stats ---------------------------------------------------------------------------------

def test_stats_prints_the_triples_of_every_graph(cli: Run, built: BuiltGraph) -> None:
    code, out, _ = cli("stats")
    assert code == 0
    for graph in built.graphs:
        assert re.search(rf"^\s+{re.escape(graph.iri)}\s+{graph.triples}\s+{graph.role}$", out, re.M), graph
    assert "reused from the cache" in out


def test_stats_counts_21_counties(cli: Run) -> None:
    _, out, _ = cli("stats")
    assert re.search(r"^\s+s3:County\s+21 /\s+21$", out, re.M)


def test_stats_says_region_for_one_and_regions_for_more(cli: Run) -> None:
    _, out, _ = cli("stats")
    block = out.split("Territories by country and NUTS level:\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == ["  BE: 1 NUTS-1 region", "  DE: 1 NUTS-1 region", "  FR: 1 NUTS-1 region",
                                  "  IT: 1 NUTS-2 region", "  SE: 3 NUTS-1 regions", "  SE: 8 NUTS-2 regions",
                                  "  SE: 21 NUTS-3 regions (counties in SE)"]


def test_stats_gives_the_swedish_territories_by_nuts_level(cli: Run) -> None:
    _, out, _ = cli("stats")
    sweden = " ".join(line.strip() for line in out.splitlines() if line.strip().startswith("SE:"))
    assert re.search(r"\b3 NUTS-1\b", sweden)
    assert re.search(r"\b8 NUTS-2\b", sweden)
    assert re.search(r"\b21 NUTS-3\b", sweden)


def test_stats_on_a_broken_data_file_exits_2_naming_file_and_line(
        data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = data_copy / "wikidata.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(29, 'territory:SE110 s3:isoCode "SE-AB .\n')
    broken.write_text("".join(lines), encoding="utf-8")
    code = main(["stats", "--data-dir", str(data_copy), "--cache-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith(f"s3graph: error: {broken}:30: ")


# --- query: SELECT in every results format -------------------------------------------------

def test_query_select_as_json(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "json", NUTS2_CODES)
    assert code == 0
    assert json.loads(out) == {
        "head": {"vars": ["code"]},
        "results": {"bindings": [{"code": {"type": "literal", "value": c}} for c in CODES]},
    }


def test_query_select_is_json_by_default(cli: Run) -> None:
    assert cli("query", NUTS2_CODES)[1] == cli("query", "--format", "json", NUTS2_CODES)[1]


def test_query_select_as_csv(cli: Run) -> None:
    assert cli("query", "--format", "csv", NUTS2_CODES) == (0, "code\r\n" + "".join(f"{c}\r\n" for c in CODES), "")


def test_query_select_as_tsv(cli: Run) -> None:
    assert cli("query", "--format", "tsv", NUTS2_CODES) == (0, "?code\n" + "".join(f'"{c}"\n' for c in CODES), "")


def test_query_select_as_xml(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "xml", NUTS2_CODES)
    assert code == 0
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(out)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["code"]
    results = root.findall("r:results/r:result", ns)
    assert [(b.get("name"), b.findtext("r:literal", namespaces=ns))
            for r in results for b in r.findall("r:binding", ns)] == [("code", c) for c in CODES]


def test_query_ask(cli: Run) -> None:
    ask = "ASK { <https://w3id.org/s3graph/id/territory/SE312> ?p ?o }"
    assert json.loads(cli("query", ask)[1]) == {"head": {}, "boolean": True}


# --- query: CONSTRUCT in RDF formats -------------------------------------------------------

def plain(graph: rdflib.Graph) -> set[tuple[str, str, str]]:
    """The triples of a graph as plain strings."""
    return {(str(s), str(p), str(o)) for s, p, o in graph}


def test_query_construct_as_ntriples(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "nt", SE31_COUNTIES)
    assert code == 0
    assert sorted(out.splitlines()) == [
        f'<{TERRITORY}{c}> <{S3}nutsCode> "{c}" .' for c in ("SE311", "SE312", "SE313")]


def test_query_construct_as_turtle(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "ttl", SE31_COUNTIES)
    assert code == 0
    assert "@prefix s3: <https://w3id.org/s3graph/ontology#> ." in out
    assert plain(rdflib.Graph().parse(data=out, format="turtle")) == SE31_TRIPLES


def test_query_construct_is_turtle_by_default(cli: Run) -> None:
    assert cli("query", SE31_COUNTIES)[1] == cli("query", "--format", "ttl", SE31_COUNTIES)[1]


def test_query_construct_as_jsonld(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "jsonld", SE31_COUNTIES)
    assert code == 0
    nodes = sorted(json.loads(out), key=lambda node: node["@id"])
    assert nodes == [{"@id": TERRITORY + c, S3 + "nutsCode": [{"@value": c}]}
                     for c in ("SE311", "SE312", "SE313")]


def test_query_a_select_in_an_rdf_format_is_refused(cli: Run) -> None:
    code, out, err = cli("query", "--format", "nt", NUTS2_CODES)
    assert (code, out) == (2, "")
    assert err.startswith("s3graph: error: format 'nt' does not fit")


# --- query: inference, files, errors -------------------------------------------------------

def test_no_inference_changes_the_answer_of_a_query_that_needs_it(cli: Run) -> None:
    assert cli("query", "--format", "csv", THROUGH_LARGER_TERRITORY)[1] == "code\r\nSE311\r\nSE312\r\nSE313\r\n"
    assert cli("query", "--format", "csv", "--no-inference", THROUGH_LARGER_TERRITORY)[1] == "code\r\n"


def test_query_reads_the_query_from_a_file(cli: Run, tmp_path: Path) -> None:
    query_file = tmp_path / "nuts2.rq"
    query_file.write_text(NUTS2_CODES, encoding="utf-8")
    assert cli("query", "--format", "csv", f"@{query_file}") == (
        0, "code\r\n" + "".join(f"{c}\r\n" for c in CODES), "")


def test_query_from_a_missing_file_exits_2(cli: Run, tmp_path: Path) -> None:
    code, out, err = cli("query", f"@{tmp_path / 'missing.rq'}")
    assert (code, out) == (2, "")
    assert "missing.rq" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("query", "line"), [
    ("SELECT * WHERE { ?s ?p }", 1),
    ("SELECT *\nWHERE {\n  ?s ?p ?o .\n  ?s ?p\n}", 5),
    ("SELECT * WHERE { ?s undeclared:p ?o }", 1),
], ids=["missing-object", "error-on-line-5", "undeclared-prefix"])
def test_a_syntax_error_exits_2_with_one_line_naming_the_position(
        cli: Run, query: str, line: int) -> None:
    code, out, err = cli("query", query)
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("s3graph: error: syntax error")
    assert re.search(rf"line {line}, column \d+|\b{line}:\d+", err), err


# --- export --------------------------------------------------------------------------------

def test_export_nquads_of_the_inferred_graph_writes_only_that_graph(
        cli: Run, built: BuiltGraph, tmp_path: Path) -> None:
    target = tmp_path / "inferred.nq"
    code, out, _ = cli("export", "--format", "nq", "--inferred", "-o", str(target))
    assert (code, out) == (0, "")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert all(line.endswith(f" <{INFERRED}> .") for line in lines)
    inferred = next(g.triples for g in built.graphs if g.role == "inferred")
    assert len(set(lines)) == len(lines) == inferred


def test_export_turtle_of_the_asserted_graphs_is_their_union(
        cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "asserted.ttl"
    code, _, _ = cli("export", "--format", "ttl", "--asserted", "-o", str(target))
    assert code == 0
    exported = rdflib.Graph().parse(target, format="turtle")
    union = rdflib.Graph()
    for path in [ROOT / "ontology" / "s3.ttl", *sorted((ROOT / "data").glob("*.ttl"))]:
        union.parse(path, format="turtle")
    assert len(exported) == len(union)
    se312 = rdflib.URIRef(TERRITORY + "SE312")
    assert (se312, rdflib.URIRef(S3 + "nutsCode"), rdflib.Literal("SE312")) in exported
    assert (se312, rdflib.URIRef(S3 + "within"), rdflib.URIRef(TERRITORY + "SE3")) not in exported


def test_export_of_one_named_graph_is_its_dump(cli: Run, client, built: BuiltGraph) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("export", "--format", "nt", "--graph", "https://w3id.org/s3graph/graph/vanguard")
    assert code == 0
    assert out.encode() == client.get("/dumps/vanguard.nt").data
    assert len(out.splitlines()) == next(g.triples for g in built.graphs if g.iri.endswith("/vanguard"))
    code, out, err = cli("export", "--graph", "https://w3id.org/s3graph/graph/nothing")
    assert (code, out) == (2, "")
    assert err == "s3graph: error: no graph 'https://w3id.org/s3graph/graph/nothing'; use all, asserted, " \
                  "inferred or a named graph's IRI\n"


def test_export_to_standard_output(cli: Run) -> None:
    code, out, _ = cli("export", "--format", "nt", "--inferred")
    assert code == 0
    assert f"<{TERRITORY}SE312> <{S3}within> <{TERRITORY}SE3> ." in out.splitlines()


# --- the command line is the service with the trusted profile --------------------------------

def test_query_takes_what_http_refuses_for_size_but_refuses_what_is_unsafe(cli: Run, client) -> None:  # type: ignore[no-untyped-def]
    deep = "SELECT ?code WHERE " + "{ " * 100 + "<https://w3id.org/s3graph/id/territory/SE312> " \
        "<https://w3id.org/s3graph/ontology#nutsCode> ?code" + " }" * 100
    assert cli("query", "--format", "csv", deep) == (0, "code\r\nSE312\r\n", "")
    assert client.get("/sparql", query_string={"query": deep}).status_code == 400  # query-too-deep over HTTP
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    code, out, err = cli("query", update)
    http = client.get("/sparql", query_string={"query": update}).get_json()["message"]
    assert (code, out, err) == (2, "", f"s3graph: error: {http}\n")
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert cli("query", service)[2].startswith("s3graph: error: SERVICE <http://127.0.0.1:1/sparql> is not on")


def test_canned_query_parameters_are_checked_as_over_http(cli: Run) -> None:
    code, out, err = cli("query", "--canned", "region-profile", "-p", "region=Atlantis")
    assert (code, out) == (2, "")
    assert err.startswith("s3graph: error: parameter region: 'Atlantis' is not a NUTS code")
    assert cli("query", "--canned", "no-such-query")[2] == "s3graph: error: no canned query called 'no-such-query'\n"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_output_ends_with_a_newline(cli: Run, fmt: str) -> None:
    code, out, _ = cli("query", "--format", fmt, "SELECT ?x WHERE { VALUES ?x { 1 } }")
    assert code == 0 and out.endswith("\n") and not out.endswith("\n\n")


def test_jsonld_output_ends_with_a_newline(cli: Run) -> None:
    code, out, _ = cli("query", "--format", "jsonld", "CONSTRUCT { <urn:a> <urn:b> 1 } WHERE {}")
    assert code == 0 and out.endswith("\n")


@pytest.mark.parametrize(("command", "expected"), [
    ("serve", ["Serve the SPARQL endpoint", "address to listen on (default: 127.0.0.1)",
               "port to listen on (default: 8000)"]),
    ("export", ["Write the dataset", "(default: ttl)", "--graph IRI"]),
    ("query", ["Run a SPARQL query", "ttl, jsonld, nt, xml, trig, nq for"]),
    ("stats", ["Triples per graph"]), ("validate", ["Check the data"]), ("queries", ["List the canned queries"])])
def test_every_subcommand_has_a_description_defaults_and_formats(command: str, expected: list[str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for piece in expected:
        assert " ".join(piece.split()) in text, piece
    assert "(default: None)" not in text


@pytest.mark.parametrize("argv", [
    ["query", "--canned", "region-profile", "-p", "region=Sk\udce5ne"],
    ["query", "--canned", "collaboration-search", "-p", "text=a\udcffb"],
    ["query", 'ASK { FILTER("\udcff") }'],
])
def test_an_argument_that_is_not_utf8_is_one_line_and_exit_2(argv: list[str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # What Python makes of a byte that is not UTF-8 on the command line (surrogateescape).
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("s3graph: error: an argument is not valid UTF-8: ") and err.count("\n") == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["serve", "--port", "99999"], "'99999' is not a port number (1-65535)"),
    (["serve", "--port", "0"], "'0' is not a port number (1-65535)"),
])
def test_a_port_out_of_range_is_a_usage_error(argv: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["query", "ASK {}", "-p", "x=1"], "-p/--param is for canned queries"),
    (["query", "ASK {}", "--canned", "collaborations"], "not both"),
])
def test_a_parameter_or_query_that_would_be_ignored_is_an_error(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_json_ld_export_ends_with_a_newline(cli: Run, tmp_path: Path) -> None:
    code, out, _ = cli("export", "--format", "jsonld")
    assert code == 0 and out.endswith("]\n") and not out.endswith("\n\n")
    written = tmp_path / "all.jsonld"
    assert cli("export", "--format", "jsonld", "-o", str(written))[0] == 0
    assert written.read_bytes().endswith(b"]\n")
