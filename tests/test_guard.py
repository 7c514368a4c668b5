"""The guard as a pure function: a table of queries and what it learns or refuses."""

from __future__ import annotations

import pytest

from s3graph.errors import S3GraphError
from s3graph.query.guard import check

WD = "https://query.wikidata.org/sparql"
BASE = "https://w3id.org/s3graph/"
P = "PREFIX ex: <http://example.org/> "

#: (query, form, FROM graphs, FROM NAMED graphs, SERVICE targets)
ACCEPTED = [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", (), (), ()),
    ("ASK {}", "ASK", (), (), ()),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", (), (), ()),
    ("DESCRIBE <http://example.org/a>", "DESCRIBE", (), (), ()),
    ("select * { ?s ?p ?o }", "SELECT", (), (), ()),
    ("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> WHERE { ?s ?p ?o }", "SELECT", ("http://g/1",),
     ("http://g/2",), ()),
    (P + "SELECT * FROM ex:g WHERE { ?s ?p ?o }", "SELECT", ("http://example.org/g",), (), ()),
    ("SELECT * FROM <graph/nuts> WHERE { ?s ?p ?o }", "SELECT", (BASE + "graph/nuts",), (), ()),
    ("BASE <http://b/> SELECT * FROM <x> WHERE { ?s ?p ?o }", "SELECT", ("http://b/x",), (), ()),
    (f"SELECT * WHERE {{ SERVICE <{WD}> {{ ?s ?p ?o }} }}", "SELECT", (), (), (WD,)),
    (f"SELECT * WHERE {{ SERVICE SILENT <{WD}> {{ ?s ?p ?o }} }}", "SELECT", (), (), (WD,)),
    ("PREFIX w: <https://query.wikidata.org/> SELECT * WHERE { SERVICE w:sparql { ?s ?p ?o } }", "SELECT", (),
     (), (WD,)),
    ('SELECT ?x WHERE { BIND("SERVICE <http://evil/> INSERT" AS ?x) }', "SELECT", (), (), ()),
    ("SELECT ?x WHERE { BIND('''DELETE { }''' AS ?x) } # LOAD <http://evil/>", "SELECT", (), (), ()),
    ("SELECT ?insert WHERE { ?insert ?p ?o }", "SELECT", (), (), ()),
    ("SELECT * WHERE { <http://example.org/SERVICE> ?p ?o }", "SELECT", (), (), ()),
]

#: (query, status, code)
REFUSED = [
    ("", 400, "empty-query"),
    ("   \n ", 400, "empty-query"),
    ("SELEC * WHERE { ?s ?p ?o }", 400, "syntax-error"),
    ("SELECT * WHERE { ?s nope:p ?o }", 400, "syntax-error"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", 400, "update-refused"),
    ("SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL", 400, "update-refused"),
    ("LOAD <http://127.0.0.1:1/x>", 400, "update-refused"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", 400, "service-refused"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", 400, "service-refused"),
    (P + "SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }", 400, "service-refused"),
    ("SELECT * WHERE " + "{" * 65 + "?s ?p ?o" + "}" * 65, 400, "query-too-deep"),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 70000, 413, "query-too-long"),
]


@pytest.mark.parametrize(("query", "form", "froms", "named", "services"), ACCEPTED)
def test_the_guard_learns_form_dataset_and_services(query: str, form: str, froms: tuple[str, ...],
                                                    named: tuple[str, ...], services: tuple[str, ...]) -> None:
    checked = check(query, max_length=65536, max_depth=64, allowlist=[WD], base=BASE)
    assert (checked.form, checked.from_graphs, checked.from_named_graphs, checked.services) == (
        form, froms, named, services)
    assert checked.kind == ("bindings" if form in ("SELECT", "ASK") else "graph")


@pytest.mark.parametrize(("query", "status", "code"), REFUSED)
def test_the_guard_refuses_with_status_and_code(query: str, status: int, code: str) -> None:
    with pytest.raises(S3GraphError) as caught:
        check(query, max_length=65536, max_depth=64, allowlist=[WD], base=BASE)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_depth_is_counted_to_the_limit_exactly() -> None:
    at_limit = "SELECT * WHERE " + "{" * 64 + "?s ?p ?o" + "}" * 64
    assert check(at_limit, max_length=65536, max_depth=64, allowlist=[], base=BASE).form == "SELECT"
    with pytest.raises(S3GraphError) as caught:
        check(at_limit, max_length=65536, max_depth=63, allowlist=[], base=BASE)
    assert caught.value.message == "the query nests deeper than 63 levels (at line 1, column 79)"
