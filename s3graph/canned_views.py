"""HTTP for the canned queries: the list (/queries) and one query (/queries/<slug>)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask import Response as FlaskResponse

from .catalog import RESERVED, CannedQuery
from .engine import select_dataset
from .errors import QueryError
from .negotiation import negotiate
from .protocol import outcome_response
from .renderers import FORMATS
from .web import state, to_flask, wants_html
from .workers import encode_bindings

queries_bp = Blueprint("queries", __name__)


def describe(canned: CannedQuery) -> dict[str, Any]:
    """A canned query as JSON: metadata, typed parameters, URL and SPARQL text."""
    return {
        "slug": canned.slug,
        "title": canned.title,
        "description": canned.description,
        "url": url_for("queries.run", slug=canned.slug, _external=True),
        "parameters": [{"name": p.name, "type": p.type, "default": p.default,
                        "allowed": list(p.allowed), "help": p.help} for p in canned.parameters],
        "inference": canned.inference,
        "federation": list(canned.federation),
        "sparql": canned.sparql,
    }


@queries_bp.route("/queries")
def index() -> FlaskResponse:
    """Every canned query: an HTML list for people, JSON for programs."""
    st = state()
    wanted = request.args.get("format")
    if wanted == "html" or (wanted is None and wants_html()):
        page = render_template("queries.html", queries=st.catalog.queries)
        response = FlaskResponse(page, mimetype="text/html")
    elif wanted in (None, "json"):
        body = json.dumps({"queries": [describe(q) for q in st.catalog.queries]}, ensure_ascii=False)
        response = FlaskResponse(body, mimetype="application/json")
    else:
        raise QueryError(f"format {wanted!r} is not offered here; use html or json", status=406,
                         code="not-acceptable")
    response.headers["Vary"] = "Accept"
    return response


@queries_bp.route("/queries/<slug>")
def run(slug: str) -> FlaskResponse:
    """Run one canned query with parameters from the query string, in any results format."""
    st = state()
    client = request.remote_addr or "unknown"
    st.service.admit(client)
    canned = st.catalog.get(slug)
    values = {k: v for k, v in request.args.items() if k not in RESERVED}
    infer_text = request.args.get("infer", "true").lower()
    if infer_text not in ("true", "false"):
        raise QueryError("infer must be true or false", code="bad-parameter")
    dataset = select_dataset(st.built, infer=infer_text == "true")
    bindings = canned.bind(values, st.resolve_region)
    fmt = negotiate("bindings", request.args.get("format"), request.headers.get("Accept"))
    encoded = encode_bindings(bindings)
    if fmt != "html":
        outcome = st.service.run(canned.sparql, dataset, fmt, client, encoded)
        response = to_flask(outcome_response(outcome))
    else:
        outcome = st.service.run(canned.sparql, dataset, "table", client, encoded)
        result = json.loads(outcome_response(outcome).body)
        shown = {p.name: values.get(p.name, p.default or "") for p in canned.parameters}
        args: dict[str, Any] = dict(shown)
        links = [(name, url_for("queries.run", slug=slug, **{**args, "format": name}))
                 for name in FORMATS["bindings"]]
        page = render_template("canned.html", canned=canned, values=shown, result=result,
                               truncated=outcome.truncated, formats=links, infer=infer_text == "true",
                               editor=url_for("sparql.endpoint", text=canned.sparql))
        response = FlaskResponse(page, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response
