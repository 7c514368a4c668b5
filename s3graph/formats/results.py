"""Renderers of SELECT and ASK results: SPARQL 1.1 Query Results JSON, XML, CSV and TSV."""

from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..results import Bindings, Boolean, Result
from ..terms import Term, is_plain_string


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif not is_plain_string(term):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


#: One encoder for every answer (json.dumps with arguments of its own makes a new one each call).
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def render_json(result: Result) -> bytes:
    """SPARQL 1.1 Query Results JSON, compact (as Oxigraph writes it: a SELECT's answer may come
    from either, `query.engines.Solutions`)."""
    if isinstance(result, Boolean):
        return b'{"head":{},"boolean":true}' if result.value else b'{"head":{},"boolean":false}'
    assert isinstance(result, Bindings)
    rows = [{v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows]
    body = {"head": {"vars": list(result.variables)}, "results": {"bindings": rows}}
    return _COMPACT.encode(body).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if not is_plain_string(term):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def render_xml(result: Result) -> bytes:
    """SPARQL Query Results XML."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if isinstance(result, Boolean):
        out.append(f"<head/>\n<boolean>{'true' if result.value else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode()
    assert isinstance(result, Bindings)
    out.append("<head>")
    out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    out.append("</head>\n<results>\n")
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.variables, row, strict=True):
            if t is not None:
                out.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)


def render_csv(result: Result) -> bytes:
    """SPARQL 1.1 Query Results CSV (an ASK result is one column, "boolean")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(result, Boolean):
        writer.writerows([["boolean"], ["true" if result.value else "false"]])
        return buffer.getvalue().encode()
    assert isinstance(result, Bindings)
    writer.writerow(result.variables)
    writer.writerows([_csv_value(t) for t in row] for row in result.rows)
    return buffer.getvalue().encode()


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    text = str(term)  # pyoxigraph prints terms in N-Triples / Turtle syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def render_tsv(result: Result) -> bytes:
    """SPARQL 1.1 Query Results TSV (an ASK result is one column, "?boolean")."""
    if isinstance(result, Boolean):
        return f"?boolean\n{'true' if result.value else 'false'}\n".encode()
    assert isinstance(result, Bindings)
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join(_tsv_value(t) for t in row) for row in result.rows)
    return ("\n".join(lines) + "\n").encode()
