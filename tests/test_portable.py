"""The forms a canned query is sent to another store in (query.portable): what is rewritten,
exactly, and that the rewrite answers as the text written, on the built graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from s3graph.build.store import BuiltGraph
from s3graph.query.catalog import Catalog
from s3graph.query.engines import Bindings, Engine, select_dataset
from s3graph.query.inline import inline
from s3graph.query.portable import PLAIN, PLANNED, portable, store_query
from s3graph.query.regions import region_resolver
from s3graph.remote.verify import normalised

HEAD = "SELECT ?t (GROUP_CONCAT(?source) AS ?s) WHERE { ?t a <urn:C> ; <urn:country> ?country . "
TAIL = " } GROUP BY ?t"
#: Branches that join the row on different variables: ?t in one, ?country in the other.
APART = ("{ GRAPH ?g { ?t <urn:code> ?x } ?g <urn:from> ?source } "
         "UNION { GRAPH ?g { ?country <urn:auth> ?y } ?g <urn:from> ?source }")


def test_an_optional_whose_branches_join_on_different_variables_becomes_a_join_with_an_empty_branch() -> None:
    assert portable(HEAD + f"OPTIONAL {{ {APART} }}" + TAIL) == HEAD + f"{{ {{}} UNION {{ {APART} }} }}" + TAIL
    # a block that holds the union with other patterns: the whole group goes into the branch
    grouped = f"OPTIONAL {{ VALUES ?i {{ 1 }} {APART} }}"
    assert portable(HEAD + grouped + TAIL) == HEAD + f"{{ {{}} UNION {{ VALUES ?i {{ 1 }} {APART} }} }}" + TAIL
    # lower case, comments and line ends are read as the grammar reads them
    spaced = f"optional#{{\r{{ {APART} }}"
    assert portable(HEAD + spaced + TAIL) == HEAD + f"{{ {{}} UNION#{{\r{{ {APART} }} }}" + TAIL


@pytest.mark.parametrize("block", [
    # every branch joins the row on ?t alone (the variables of its own are not shared)
    "OPTIONAL { { GRAPH ?g { ?t <urn:code> ?x } ?g <urn:from> ?source } UNION { ?c <urn:about> ?t } }",
    # the same, after a VALUES block (its data is no branch)
    "OPTIONAL { VALUES (?p) { (<urn:code>) } { GRAPH ?g { ?t ?p ?x } } UNION { ?c <urn:about> ?t } }",
    # no union
    "OPTIONAL { GRAPH ?g { ?country <urn:auth> ?y } ?g <urn:from> ?source }",
    # a FILTER at the top of the block reads the left side's variables: the join form could not
    f"OPTIONAL {{ FILTER(BOUND(?country)) {APART} }}",
    # the union is nested in a group of the block, not at its top
    f"OPTIONAL {{ {{ {APART} }} }}",
])
def test_other_blocks_are_left_as_written(block: str) -> None:
    assert portable(HEAD + block + TAIL) == HEAD + block + TAIL


def test_variables_only_inside_exists_or_the_projection_join_nothing() -> None:
    """?claim appears in a NOT EXISTS of the left side and ?rank in the projection: neither is
    shared with the block's branches, which all join on ?t alone."""
    query = ("SELECT ?t (MIN(?rank) AS ?r) (GROUP_CONCAT(?source) AS ?s) WHERE { ?t a <urn:C> "
             "FILTER NOT EXISTS { ?claim <urn:about> ?t } "
             "OPTIONAL { { GRAPH ?g { ?t <urn:code> ?x } ?g <urn:from> ?source } "
             "UNION { ?claim <urn:subject> ?t ; <urn:rank> ?rank } } } GROUP BY ?t")
    assert portable(query) == query


def test_the_store_forms_bind_parameters_as_said() -> None:
    query = HEAD + f"OPTIONAL {{ {APART} }}" + TAIL
    rewritten = portable(query)
    term = ox.NamedNode("urn:t1")
    assert store_query(query, {"t": term}, PLANNED) == (rewritten, {"t": term})
    text, left = store_query(query, {"t": term}, PLAIN)
    assert left == {} and text == rewritten.replace("WHERE {", "WHERE { VALUES (?t) { (<urn:t1>) }", 1)
    # the planned form's bindings are written in by the engine: constants, and a VALUES block
    # (a remote store) or a BIND (the embedded one) for the projected variable
    written = query.replace("{ ?t <urn:code>", "{ <urn:t1> <urn:code>")
    assert inline(query, {"t": term}, values=True) == written.replace(
        "WHERE { ?t a", "WHERE { VALUES (?t) { (<urn:t1>) } <urn:t1> a")
    assert inline(query, {"t": term}) == written.replace("WHERE { ?t a", "WHERE { BIND(<urn:t1> AS ?t) <urn:t1> a")


def test_every_canned_query_rewritten_answers_as_written(built: BuiltGraph, catalog: Catalog, engine: Engine) -> None:
    """The rewrite keeps the answer (the argument of query.portable's note, checked on the
    built graph): each canned query's planned store form, run here, answers as the query as
    written, with inference and without, with its defaults and with claims=confirmed."""
    resolve = region_resolver(built.open_store())
    rewritten = set()
    for canned in catalog.queries:
        if canned.federation:
            continue
        if portable(canned.sparql) != canned.sparql:
            rewritten.add(canned.slug)
        tries: list[dict[str, str]] = [{}]
        if any(p.name == "claims" for p in canned.parameters):
            tries.append({"claims": "confirmed"})
        for values in tries:
            bound = canned.bind(values, resolve)
            text, left = store_query(canned.sparql, bound, PLANNED)
            for infer in (True, False):
                dataset = select_dataset(built, infer=infer)
                written = engine.execute(canned.sparql, dataset, bound)
                sent = engine.execute(text, dataset, left)  # type: ignore[arg-type]
                assert isinstance(written, Bindings), canned.slug
                assert written.rows or not infer or values, canned.slug  # every one answers something
                assert normalised(sent) == normalised(written), (canned.slug, values, infer)
    # the canned queries with a provenance block whose branches join the row differently
    assert rewritten == {q.slug for q in catalog.queries if not q.federation} - {
        "claim-status", "collaboration-search", "contradicted-facts", "counties-without-collaborations",
        "vanguard-initiative"}
