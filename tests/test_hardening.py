"""Clean failures and safe headers: security headers on pages, nosniff everywhere, unknown
functions, no URL from the Host header, start-up faults as one line and exit 2."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from s3graph.cli import main

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HTML = {"Accept": "text/html"}


@pytest.mark.parametrize("path", ["/", "/sparql", "/queries", "/queries/region-profile", "/nothing-here",
                                  "/sparql?query=SELEC"])
def test_every_page_carries_the_security_headers(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=HTML)
    assert response.mimetype == "text/html", path
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = response.data.decode()
    # nothing the CSP refuses: no inline style or script, scripts only from the app's own files
    assert "<style" not in page and "style=" not in page and " on" + "click=" not in page
    assert re.findall(r"<script[^>]*>", page) in ([], ['<script src="/static/editor.js" defer>'])
    assert '<link rel="stylesheet" href="/static/s3graph.css">' in page


def test_data_carries_nosniff_but_no_page_policy(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/sparql?query=ASK%7B%7D", "/queries", "/queries/region-profile", "/sparql?query=SELEC"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "Content-Security-Policy" not in response.headers, path


def test_the_stylesheet_is_served_by_the_app(client) -> None:  # type: ignore[no-untyped-def]
    with client.get("/static/s3graph.css") as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
        assert b"font-family" in response.data


def test_an_unknown_function_is_a_400_naming_it(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { BIND(<urn:x>(1) AS ?x) }"})
    assert response.status_code == 400
    assert json.loads(response.data) == {"error": "unknown-function", "status": 400,
                                         "message": "the function <urn:x> is not known to this endpoint",
                                         "request_id": response.headers["X-Request-Id"]}


def test_no_url_is_built_from_the_host_header(client) -> None:  # type: ignore[no-untyped-def]
    evil = {"Host": "evil.example"}
    resource = client.get("/id/territory/SE312", headers=evil)
    assert resource.status_code == 200 and "evil.example" not in str(resource.headers)
    doubled = client.get("/id//x", headers=evil)  # no slash-merging redirect to the client's Host
    assert doubled.status_code == 404 and "Location" not in doubled.headers
    listing = json.loads(client.get("/queries", headers=evil).data)
    assert {q["url"].split("/queries/")[0] for q in listing["queries"]} == {"http://127.0.0.1:8000"}
    for path in ("/", "/sparql", "/queries/region-profile"):
        assert b"evil.example" not in client.get(path, headers={**evil, **HTML}).data, path


def test_a_cache_folder_that_cannot_be_made_is_one_line_and_exit_2(
        data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in data_copy.iterdir():
        if path.name not in ("sources.ttl", "vocabularies.ttl"):
            path.unlink()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(["export", "--data-dir", str(data_copy), "--cache-dir", str(blocker / "cache")])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (f"s3graph: error: cache folder {blocker / 'cache'}: cannot write the build "
                                    "(Not a directory)")


@pytest.mark.parametrize("workers", ["0", "2"])
def test_a_port_in_use_is_one_line_and_exit_2(cache_dir: Path, built, workers: str,  # type: ignore[no-untyped-def]
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port), "--workers", workers, "--cache-dir", str(cache_dir)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"s3graph: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
