"""The web UI in a real browser: Playwright driving Debian's Chromium against the app served
over HTTP on 127.0.0.1 (the `live_url` fixture).

One browser for the module and one context per viewport (desktop 1280×800, phone 390×844,
and a desktop one without JavaScript). Every expected answer is computed here, from the
engine, the build or tests/expected.py, never read back from the page. Every page a test
opens is watched: each request must go to the app's own origin, and the console must show
no error (no CSP violation, no failed load) and the page no uncaught exception.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import rdflib
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, ViewportSize, expect, sync_playwright
from playwright.sync_api import Request as PWRequest
from playwright.sync_api import Response as PWResponse

from s3graph.query.catalog import Catalog
from s3graph.query.engines import DatasetSpec, Engine

from .expected import COUNTIES
from .helpers import rows

CHROMIUM = "/usr/bin/chromium"
BASE = "https://w3id.org/s3graph/"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
#: Short timeouts: every page here is local and small; a hang should fail fast.
TIMEOUT_MS = 5000

#: The 21 counties with their NUTS codes, in code order (the editor's first query).
COUNTIES_QUERY = """PREFIX s3: <https://w3id.org/s3graph/ontology#>
SELECT ?county ?code WHERE {
  ?county a s3:County ;
          s3:nutsCode ?code .
}
ORDER BY ?code"""
ASK_QUERY = "PREFIX territory: <https://w3id.org/s3graph/id/territory/>\n" \
    "ASK { territory:SE312 <https://w3id.org/s3graph/ontology#nutsCode> \"SE312\" }"
#: A syntax error on line 3, at the ")" of column 13 (a variable is missing after AS).
BAD_QUERY = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  BIND(1 AS )\n}"
BAD_LINE, BAD_COLUMN = 3, 13

#: Every page of the UI (the editor also with a result table in it), and where it sits in the
#: site's navigation: the href of its link marked aria-current="page".
SECTIONS = {"/": "/", "/sparql": "/sparql", "/sparql?" + urlencode({"query": COUNTIES_QUERY}): "/sparql",
            "/id/territory/SE312": "/classes", "/ontology": "/ontology", "/ontology/County": "/ontology",
            "/dumps": "/dumps", "/classes": "/classes", "/queries": "/queries",
            "/queries/region-profile?region=SE-W": "/queries", "/.well-known/void": "/.well-known/void"}
PAGES = list(SECTIONS)


# --- the browser, its contexts, and the watch over every page ------------------------------


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, once per module."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; no host name resolves but 127.0.0.1's, so nothing can reach out."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page asked for and said since the last reset: requests, console messages,
    uncaught errors, responses of 400 and more, requests that failed."""

    origin: str
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        def on_request(request: PWRequest) -> None:
            self.requests.append(request.url)

        def on_console(message: ConsoleMessage) -> None:
            self.console.append((message.type, message.text))

        def on_error(error: Exception) -> None:
            self.page_errors.append(str(error))

        def on_response(response: PWResponse) -> None:
            if response.status >= 400:
                self.failures.append((response.status, response.url))

        def on_failed(request: PWRequest) -> None:
            # Cancelled by the next navigation (the favicon of a page left at once): no failure.
            if request.failure != "net::ERR_ABORTED":
                self.failed_requests.append(f"{request.url} ({request.failure})")

        page.on("request", on_request)
        page.on("console", on_console)
        page.on("pageerror", on_error)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)

    def reset(self) -> None:
        for found in (self.requests, self.console, self.page_errors, self.failures, self.failed_requests):
            found.clear()

    def assert_clean(self, expected_failures: tuple[tuple[int, str], ...] = ()) -> None:
        """Nothing off the app's origin, no CSP violation, no JS error, no failed load but the
        expected ones (status, path), each with the console line Chromium writes for it."""
        assert self.requests, "the page made no request at all"
        off_origin = [u for u in self.requests if not u.startswith(self.origin + "/")]
        assert off_origin == []
        csp = [text for _, text in self.console if "Content Security Policy" in text or "Refused to" in text]
        assert csp == []
        assert self.page_errors == []
        failures = [(status, urlsplit(url).path) for status, url in self.failures]
        assert failures == list(expected_failures)
        errors = [text for kind, text in self.console if kind == "error"]
        assert [re.sub(r" \(.*\)$", "", text) for text in errors] == [
            f"Failed to load resource: the server responded with a status of {status}"
            for status, _ in expected_failures]
        assert self.failed_requests == []


@dataclass(frozen=True)
class Tab:
    """A page of a context (one per viewport, reused: a new page costs a renderer), watched."""

    page: Page
    watch: Watch


def _tab(browser: Browser, live_url: str, viewport: ViewportSize, *, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(base_url=live_url, viewport=viewport, accept_downloads=True,
                                  java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(live_url)
    watch.attach(page)
    yield Tab(page, watch)
    context.close()


@pytest.fixture(scope="module")
def desktop_tab(browser: Browser, live_url: str) -> Iterator[Tab]:
    """The desktop-sized context's page (1280×800)."""
    yield from _tab(browser, live_url, DESKTOP)


@pytest.fixture(scope="module")
def phone_tab(browser: Browser, live_url: str) -> Iterator[Tab]:
    """The phone-sized context's page (390×844)."""
    yield from _tab(browser, live_url, PHONE)


@pytest.fixture(scope="module")
def no_js_tab(browser: Browser, live_url: str) -> Iterator[Tab]:
    """The page of a desktop-sized context with JavaScript turned off."""
    yield from _tab(browser, live_url, DESKTOP, javascript=False)


@pytest.fixture()
def desktop(desktop_tab: Tab) -> Tab:
    """The desktop page, its watch reset for this test."""
    desktop_tab.watch.reset()
    return desktop_tab


@pytest.fixture()
def phone(phone_tab: Tab) -> Tab:
    """The phone page, its watch reset for this test."""
    phone_tab.watch.reset()
    return phone_tab


@pytest.fixture()
def no_js(no_js_tab: Tab) -> Tab:
    """The page without JavaScript, its watch reset for this test."""
    no_js_tab.watch.reset()
    return no_js_tab


def _open(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"


def _path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE):]


def _cells(page: Page, selector: str) -> list[list[str]]:
    """The text of each cell of each row of a table, whitespace collapsed."""
    found: list[list[str]] = page.locator(selector).evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.replace(/\\s+/g, ' ').trim()))")
    return found


def _query_of(url: str) -> tuple[str, list[str]]:
    """The path of a URL and its query= values, line ends as the textarea has them (a form
    sends a textarea's line ends as CRLF, as HTML says)."""
    parts = urlsplit(url)
    return parts.path, [q.replace("\r\n", "\n") for q in parse_qs(parts.query).get("query", [])]


# --- the landing page ---------------------------------------------------------------------


def test_the_landing_page_shows_the_figures_the_cards_and_the_matrix(
        desktop: Tab, default_graph_size: int, engine: Engine, inferred: DatasetSpec,
        catalog: Catalog) -> None:
    page, watch = desktop.page, desktop.watch
    _open(page, "/")
    expect(page).to_have_title("s3graph")
    figures = page.locator("p.figures").inner_text().split(" · ")
    assert figures[0] == f"{default_graph_size} triples"
    assert f"{len(COUNTIES)} counties" in figures

    cards = page.locator(".cards a.card")
    assert cards.evaluate_all("cs => cs.map(c => c.getAttribute('href'))") == [
        "/classes", "/queries", "/sparql", "/ontology", "/dumps", "/.well-known/void"]
    expect(cards.nth(1).locator("strong")).to_have_text(f"{len(catalog.queries)} canned queries")

    # The icon: linked from the head, served as SVG.
    expect(page.locator("head link[rel=icon]")).to_have_attribute("href", "/static/favicon.svg")
    icon = page.evaluate("""async () => { const r = await fetch('/static/favicon.svg');
        return [r.status, r.headers.get('Content-Type'), (await r.text()).includes('<svg')]; }""")
    assert icon[0] == 200 and icon[1].startswith("image/svg+xml") and icon[2] is True
    # One cell per (county, collaboration) the county takes part in; dark when the county
    # (or the authority acting for it) is stated as a member of that very collaboration, and
    # then linked to that participation; light (inferred) otherwise.
    pairs = rows(engine, inferred, """SELECT DISTINCT ?cl ?kl WHERE {
        ?c a s3:County ; s3:participatesIn ?k ; rdfs:label ?cl . ?k rdfs:label ?kl .
        FILTER(LANG(?cl) = "en" && LANG(?kl) = "en") }""")
    # 34: Skåne in BSR Stars S3 too, as the earlier text has it (a contradicted claim).
    assert len(pairs) == len(rows(engine, inferred, "SELECT DISTINCT ?c ?k WHERE { ?c a s3:County ; "
                                                   "s3:participatesIn ?k }")) == 34
    own: dict[str, set[str]] = {}
    for county, collab, part in rows(engine, inferred, """SELECT DISTINCT ?cl ?kl ?p WHERE {
            ?c a s3:County ; s3:participatesIn ?k ; rdfs:label ?cl . ?k rdfs:label ?kl .
            FILTER(LANG(?cl) = "en" && LANG(?kl) = "en")
            ?p a s3:Participation ; org:organization ?k .
            { ?p org:member ?c } UNION { ?c s3:governedBy ?a . ?p org:member ?a } }"""):
        own.setdefault(f"{county} — {collab}", set()).add(_path_of(str(part)))
    cells = page.locator(".matrix svg a > rect.on, .matrix svg a > rect.off")
    assert cells.count() == len(pairs)
    shown: list[tuple[str, str, str]] = cells.evaluate_all(
        "rs => rs.map(r => [r.getAttribute('class'), r.querySelector('title').textContent,"
        " r.parentNode.getAttribute('href')])")
    on = {title: href for kind, title, href in shown if kind == "on"}
    off = {title: href for kind, title, href in shown if kind == "off"}
    assert len(on) + len(off) == len(pairs)
    inferred_titles = {f"{c} — {k} (inferred)" for c, k in pairs if f"{c} — {k}" not in own}
    assert (sorted(set(own) - set(on)), sorted(set(on) - set(own))) == ([], []), \
        "(stated but not dark, dark but not stated)"
    assert (sorted(set(off) - inferred_titles), sorted(inferred_titles - set(off))) == ([], [])
    assert {title: href for title, href in on.items() if href not in own[title]} == {}
    assert [href for href in off.values() if not href.startswith("/id/participation/")] == []

    watch.assert_clean()


# --- the query editor ---------------------------------------------------------------------


def _expected_counties(engine: Engine, inferred: DatasetSpec) -> tuple[list[list[str]], list[str]]:
    """The county rows as the table shows them (English label, NUTS code), and their links."""
    found = rows(engine, inferred, COUNTIES_QUERY)
    names = {f"{BASE}id/territory/{c.nuts}": f"{c.name} County" for c in COUNTIES}
    assert len(found) == len(COUNTIES) == 21
    return [[names[str(iri)], str(code)] for iri, code in found], [_path_of(str(iri)) for iri, _ in found]


def _run_with_ctrl_enter(page: Page, query: str) -> None:
    textarea = page.locator("#query-form textarea#query")
    textarea.fill(query)
    textarea.press("Control+Enter")


def test_the_editor_runs_queries_in_place_and_keeps_them_in_the_url(
        desktop: Tab, engine: Engine, inferred: DatasetSpec) -> None:
    page, watch = desktop.page, desktop.watch
    _open(page, "/sparql")
    expect(page.locator("h1")).to_have_text("SPARQL query")
    expect(page.locator("#results table")).to_have_count(0)
    page.evaluate("window.__marker = 1")
    expected_rows, expected_links = _expected_counties(engine, inferred)

    # Ctrl+Enter: the table comes in place, the page is the same one, the URL has the query.
    _run_with_ctrl_enter(page, COUNTIES_QUERY)
    expect(page.locator("#results tbody tr")).to_have_count(21)
    assert _cells(page, "#results thead tr") == [["county", "code"]]
    assert _cells(page, "#results tbody tr") == expected_rows
    assert page.locator("#results tbody td:first-child a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))") == expected_links
    expect(page.locator("#results")).to_contain_text("21 row(s)")
    expect(page.locator("#status")).to_contain_text("21 rows")
    assert page.evaluate("window.__marker") == 1
    assert _query_of(page.url) == ("/sparql", [COUNTIES_QUERY])
    expect(page.locator("#query")).to_have_value(COUNTIES_QUERY)

    # The Run button, with an ASK.
    page.locator("#query").fill(ASK_QUERY)
    page.locator("#query-form #run").click()
    expect(page.locator("#results p")).to_have_text("Answer: true")
    expect(page.locator("#results table")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    assert _query_of(page.url) == ("/sparql", [ASK_QUERY])

    # A syntax error: shown beside the query with its line and column; the query stays.
    _run_with_ctrl_enter(page, BAD_QUERY)
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-line", str(BAD_LINE))
    expect(error).to_have_attribute("data-column", str(BAD_COLUMN))
    expect(error.locator("h2")).to_have_text(f"The query has an error at line {BAD_LINE}, column {BAD_COLUMN}")
    expect(error.locator(".message")).to_contain_text(f"line {BAD_LINE}, column {BAD_COLUMN}")
    expect(page.locator("#query")).to_have_value(BAD_QUERY)
    expect(page.locator("#query")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#results table")).to_have_count(0)
    expect(page.locator("#results p")).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    assert _query_of(page.url) == ("/sparql", [BAD_QUERY])
    watch.assert_clean(expected_failures=((400, "/sparql"),))


def test_the_editor_works_without_javascript(no_js: Tab, engine: Engine, inferred: DatasetSpec) -> None:
    page, watch = no_js.page, no_js.watch
    _open(page, "/sparql")
    expected_rows, expected_links = _expected_counties(engine, inferred)
    page.locator("#query").fill(COUNTIES_QUERY)
    with page.expect_navigation():
        page.locator("#run").click()
    assert _query_of(page.url) == ("/sparql", [COUNTIES_QUERY])
    assert _cells(page, "#results tbody tr") == expected_rows
    assert page.locator("#results tbody td:first-child a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))") == expected_links
    expect(page.locator("#query")).to_have_value(COUNTIES_QUERY)

    page.locator("#query").fill(BAD_QUERY)
    with page.expect_navigation():
        page.locator("#run").click()
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_have_attribute("data-line", str(BAD_LINE))
    expect(page.locator("#error")).to_have_attribute("data-column", str(BAD_COLUMN))
    expect(page.locator("#error h2")).to_have_text(f"The query has an error at line {BAD_LINE}, column {BAD_COLUMN}")
    expect(page.locator("#query")).to_have_value(BAD_QUERY)
    watch.assert_clean(expected_failures=((400, "/sparql"),))


def test_a_result_links_to_the_resource_page_and_back_to_the_results(
        desktop: Tab, engine: Engine, inferred: DatasetSpec) -> None:
    page, watch = desktop.page, desktop.watch
    _open(page, "/sparql")
    expected_rows, _ = _expected_counties(engine, inferred)
    _run_with_ctrl_enter(page, COUNTIES_QUERY)
    expect(page.locator("#results tbody tr")).to_have_count(21)
    results_url = page.url

    with page.expect_navigation():
        page.locator("#results").get_by_role("link", name="Dalarna County", exact=True).click()
    assert urlsplit(page.url).path == "/id/territory/SE312"
    expect(page.locator("main h2").first).to_have_text("Dalarna County")
    expect(page).to_have_title("Dalarna County – s3graph")
    props = page.locator("dl.props").first
    expect(props.locator("dt", has_text="NUTS code").locator("xpath=following-sibling::dd[1]")).to_have_text("SE312")
    expect(props.locator("dt", has_text="ISO 3166 code").locator("xpath=following-sibling::dd[1]")).to_have_text("SE-W")
    participations = rows(engine, inferred, """SELECT DISTINCT ?p WHERE {
        { ?p org:member territory:SE312 } UNION { territory:SE312 s3:governedBy ?a . ?p org:member ?a }
        UNION { ?p org:organization territory:SE312 } }""")
    table = page.locator("h3", has_text="Participations").locator("xpath=following-sibling::div[1]")
    expect(table).to_have_class("scroll")
    expect(table.locator("tbody tr")).to_have_count(len(participations))
    assert sorted(table.locator("tbody tr td:last-child a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")) == sorted(_path_of(str(p)) for p, in participations)

    page.go_back()
    assert page.url == results_url
    expect(page.locator("#results tbody tr")).to_have_count(21)
    assert _cells(page, "#results tbody tr") == expected_rows
    expect(page.locator("#query")).to_have_value(COUNTIES_QUERY)
    watch.assert_clean()


# --- the ontology, the dumps ----------------------------------------------------------------


def test_the_class_tree_links_to_the_page_of_a_term(desktop: Tab, engine: Engine,
                                                    inferred: DatasetSpec) -> None:
    page, watch = desktop.page, desktop.watch
    _open(page, "/ontology")
    tree = page.locator("h3#classes + ul.tree")
    expect(tree).to_have_count(1)
    with page.expect_navigation():
        tree.get_by_role("link", name="county", exact=True).click()
    assert urlsplit(page.url).path == "/ontology/County"
    expect(page.locator("main h2")).to_have_text("county")
    instances = rows(engine, inferred, "SELECT DISTINCT ?c WHERE { ?c a s3:County }")
    assert len(instances) == len(COUNTIES)
    used = page.locator("dl.props dt", has_text="Used").locator("xpath=following-sibling::dd[1]")
    expect(used).to_contain_text(f"{len(instances)} instance(s)")
    labels = page.locator("dl.props dt", has_text="Labels").locator("xpath=following-sibling::dd[1]")
    assert labels.inner_text().splitlines() == ["county en", "län sv"]
    watch.assert_clean()


def test_a_dump_downloads_whole_and_gzipped(desktop: Tab, default_graph_size: int,
                                            tmp_path: Path) -> None:
    page, watch = desktop.page, desktop.watch
    _open(page, "/dumps")
    link = page.locator('a[href="/dumps/all.ttl"]')
    expect(link).to_have_attribute("download", "")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "s3graph-all.ttl"
    plain = tmp_path / "all.ttl"
    download.save_as(plain)
    graph = rdflib.Graph()
    graph.parse(plain, format="turtle")
    assert len(graph) == default_graph_size

    gz_link = page.locator('a[href="/dumps/all.ttl.gz"]')
    expect(gz_link).to_have_attribute("download", "")
    with page.expect_download() as info:
        gz_link.click()
    gzipped = tmp_path / "all.ttl.gz"
    info.value.save_as(gzipped)
    assert info.value.suggested_filename == "s3graph-all.ttl.gz"
    assert gzip.decompress(gzipped.read_bytes()) == plain.read_bytes()
    assert urlsplit(page.url).path == "/dumps"
    watch.assert_clean()


# --- every page: its own origin only, and it fits the screen ------------------------------------


_LAYOUT = """() => {
  const doc = document.documentElement;
  const wide = [];
  for (const t of document.querySelectorAll('main table')) {
    if (t.scrollWidth <= t.parentElement.clientWidth + 1) continue;
    const box = t.closest('.scroll');
    const overflow = box ? getComputedStyle(box).overflowX : null;
    wide.push({box: box ? box.className : null, overflow: overflow,
               fits: box ? box.getBoundingClientRect().right <= window.innerWidth + 1 : false});
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, wide: wide};
}"""


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_fits_the_screen_and_asks_only_its_own_origin(request: pytest.FixtureRequest, size: str,
                                                                 path: str) -> None:
    """Also: the icon is linked from the head, and the navigation marks the page's section."""
    tab: Tab = request.getfixturevalue(size)
    page = tab.page
    _open(page, path)
    expect(page.locator("head link[rel=icon]")).to_have_attribute("href", "/static/favicon.svg")
    current = page.locator('header.site nav a[aria-current="page"]')
    assert current.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [SECTIONS[path]]
    layout = page.evaluate(_LAYOUT)
    assert layout["innerWidth"] == (DESKTOP if size == "desktop" else PHONE)["width"]
    assert layout["scrollWidth"] <= layout["innerWidth"] + 1, f"{path} scrolls sideways at {size} size"
    for table in layout["wide"]:  # a table wider than its place scrolls in its own box
        assert table["box"] is not None, table
        assert table["overflow"] in ("auto", "scroll"), table
        assert table["fits"], table
    tab.watch.assert_clean()


def test_wide_tables_scroll_inside_their_box_on_a_phone(phone: Tab) -> None:
    page = phone.page
    _open(page, "/id/territory/SE312")
    box = page.locator("h3", has_text="Participations").locator("xpath=following-sibling::div[1]")
    expect(box).to_have_class("scroll")
    scroll_width, client_width, right = box.evaluate(
        "b => [b.scrollWidth, b.clientWidth, b.getBoundingClientRect().right]")
    assert scroll_width > client_width, "the seven-column table is wider than a phone"
    assert right <= PHONE["width"] + 1
    box.evaluate("b => { b.scrollLeft = 10000; }")
    assert box.evaluate("b => b.scrollLeft") == scroll_width - client_width
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert page.evaluate("window.scrollX") == 0
    phone.watch.assert_clean()


def test_a_long_posted_query_comes_back_after_following_a_result(
        desktop: Tab, engine: Engine, inferred: DatasetSpec) -> None:
    """A query too long for a URL is POSTed; leaving the page by a result link and pressing
    Back brings the query back into the editor and runs it again."""
    page, watch = desktop.page, desktop.watch
    long_query = "# " + "x" * 20000 + "\n" + COUNTIES_QUERY + "\nLIMIT 3"
    expected_rows = _expected_counties(engine, inferred)[0][:3]
    _open(page, "/sparql")
    default_query = page.locator("#query").input_value()
    assert default_query != long_query
    page.locator("#query").fill(long_query)
    with page.expect_request(lambda r: r.method == "POST" and urlsplit(r.url).path == "/sparql"):
        page.locator("#query-form #run").click()
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert _cells(page, "#results tbody tr") == expected_rows
    assert urlsplit(page.url).path == "/sparql" and urlsplit(page.url).query == ""

    first = page.locator("#results tbody td:first-child a").first
    target = first.get_attribute("href")
    with page.expect_navigation():
        first.click()
    assert urlsplit(page.url).path == target

    page.go_back()
    assert urlsplit(page.url).path == "/sparql"
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert _cells(page, "#results tbody tr") == expected_rows
    expect(page.locator("#query")).to_have_value(long_query)

    # Back and Forward inside the page still work, and a fresh visit shows the default query.
    page.locator("#query").fill(COUNTIES_QUERY)
    page.locator("#query-form #run").click()
    expect(page.locator("#results tbody tr")).to_have_count(21)
    page.go_back()
    expect(page.locator("#query")).to_have_value(long_query)
    expect(page.locator("#results tbody tr")).to_have_count(3)
    _open(page, "/sparql")
    expect(page.locator("#query")).to_have_value(default_query)
    expect(page.locator("#results table")).to_have_count(0)
    watch.assert_clean()
