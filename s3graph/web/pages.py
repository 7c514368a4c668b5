"""HTML for people: the service's pages and error pages, rendered from the templates.

One Jinja environment of our own (autoescaped) serves the WSGI front and the Flask views
alike; templates link with `link(path, **params)`, relative paths only.
"""

from __future__ import annotations

import jinja2

from ..errors import S3GraphError
from ..formats.negotiation import prefers_html
from ..service.http import Page, Reply, Response, error_response, link


class Pages:
    """Renders `Page`s and errors into responses."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(loader=jinja2.PackageLoader("s3graph.web", "templates"),
                                      autoescape=jinja2.select_autoescape(["html"]))
        self.env.globals["link"] = link

    def page(self, page: Page) -> Response:
        """The HTML of a page."""
        html = self.env.get_template(page.template).render(**page.context)
        return Response(page.status, "text/html", html.encode(), dict(page.headers))

    def respond(self, reply: Reply) -> Response:
        """A reply as a response: data as it is, a page rendered."""
        return self.page(reply) if isinstance(reply, Page) else reply

    def error(self, error: S3GraphError, request_id: str, accept: str | None) -> Response:
        """One rendering of every error: an HTML page for a browser, JSON for everyone else."""
        if not prefers_html(accept):
            return error_response(error, request_id)
        response = self.page(Page("error.html", {"error": error, "request_id": request_id}, error.status))
        response.headers.update(error.headers)
        return response
