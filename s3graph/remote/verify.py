"""Which canned queries a store answers as the build does: checked when a build is published.

Stores part from Oxigraph in corners of SPARQL 1.1, and a wrong answer looks like any other:
Virtuoso 7.2 finds nothing in an OPTIONAL whose UNION branches join the row on different
variables, so a canned answer loses its sources and claim status, and `claims=confirmed`
keeps rows it should drop. `s3graph publish` therefore runs every canned query that calls no
other endpoint in the store and in the build, with its default parameters, with and without
inference and, where it has the parameter, with `claims=confirmed`, in the forms of
`query.portable` (its provenance blocks in a shape Virtuoso gets right; parameters written
in, or bound by a VALUES block only), and the manifest names the ones whose answers agree
and the form they agree in. A front end (`serve --backend`) answers only those from the
store; any other is a 502 that says why, never a wrong answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import pyoxigraph as ox

from ..build.store import BuiltGraph
from ..errors import S3GraphError
from ..query.catalog import CannedQuery, Catalog, RegionResolver
from ..query.engines import Engine, select_dataset
from ..query.portable import FORMS, store_query
from ..results import Bindings, Boolean, Result, Triples
from ..terms import Term

log = logging.getLogger("s3graph.remote")


def normalised(result: Result) -> object:
    """A result as a value to compare: rows (or triples) as a sorted list of texts, a `sources`
    cell as the set of its words (SPARQL 1.1 leaves GROUP_CONCAT's order to the store)."""
    if isinstance(result, Boolean):
        return result.value
    if isinstance(result, Triples):
        return sorted(str(t) for t in result.triples)
    assert isinstance(result, Bindings)
    rows = []
    for row in result.rows:
        cells: list[str | None] = []
        for name, term in zip(result.variables, row, strict=True):
            if term is None:
                cells.append(None)
            elif name == "sources" and isinstance(term, ox.Literal):
                cells.append(" ".join(sorted(term.value.split())))
            else:
                cells.append(str(term))
        rows.append(tuple(cells))
    return (result.variables, sorted(rows, key=str))


#: Canned queries checked at once: a store compiles each text anew (Virtuoso takes 1 to 1.5 s
#: for the larger ones), and it has cores of its own to do it on.
CHECKS_AT_ONCE = 4


def agreeing(built: BuiltGraph, catalog: Catalog, store: Engine, local: Engine,
             resolve: RegionResolver) -> dict[str, str]:
    """The canned queries (without SERVICE) that `store` answers as `local` does, each tried
    with its defaults, with and without inference, and with claims=confirmed: {slug: the form
    it is answered in (`portable.FORMS`, the first that agrees)}."""

    def form_of(canned: CannedQuery) -> str | None:
        tries: list[Mapping[str, str]] = [{}]
        if any(p.name == "claims" for p in canned.parameters):
            tries.append({"claims": "confirmed"})
        for form in FORMS:
            if all(_agrees(canned.sparql, canned.bind(values, resolve), infer, built, store, local, form)
                   for values in tries for infer in (True, False)):
                return form
        log.warning("the store does not answer the canned query %s as the build does; it will not be "
                    "answered from there", canned.slug)
        return None

    checked = [q for q in catalog.queries if not q.federation]
    with ThreadPoolExecutor(CHECKS_AT_ONCE, thread_name_prefix="s3graph-check") as pool:
        forms = list(pool.map(form_of, checked))
    return {canned.slug: form for canned, form in zip(checked, forms, strict=True) if form is not None}


def _agrees(sparql: str, bindings: dict[str, Term], infer: bool, built: BuiltGraph, store: Engine,
            local: Engine, form: str) -> bool:
    dataset = select_dataset(built, infer=infer)
    expected = local.execute(sparql, dataset, bindings)
    text, left = store_query(sparql, bindings, form)
    try:
        got = store.execute(text, dataset, cast(dict[str, Term], left))
    except S3GraphError as exc:  # the store refused it: not answered as the build does
        log.info("the store refused a canned query: %s", exc.message)
        return False
    return normalised(got) == normalised(expected)
