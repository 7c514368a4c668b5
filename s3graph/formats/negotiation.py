"""Format negotiation: explicit format=, then Accept with q-values, then the kind's default.

Every name and media type comes from the format registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ..errors import Code, S3GraphError
from .registry import KINDS, of_kind


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        """2 for type/subtype, 1 for type/*, 0 for */*."""
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        """True when this range covers `media_type`."""
        main, _, sub = media_type.partition("/")
        return self.type in ("*", main) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed entries are skipped, q defaults to 1."""
    ranges = []
    for order, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main.strip(), sub.strip(), q, order))
    return ranges


def prefers_html(accept: str | None) -> bool:
    """True when an Accept header prefers HTML (a browser) over the RDF and JSON formats."""
    if not accept or "html" not in accept.lower():
        return False
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if r.type == "text" and r.subtype == "html"), default=0.0)
    other = max((r.q for r in ranges if not (r.type == "text" and r.subtype == "html")
                 and r.specificity == 2), default=0.0)
    return html > 0 and html >= other


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q of the most specific range matching `media_type` (0 when none does)."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return 0.0 if best is None else best.q


@cache
def _offered(kind: str, html: bool) -> Mapping[str, str]:
    """Media type -> format name for a kind, in table order (the first name of a type wins)."""
    offered: dict[str, str] = {}
    for fmt in of_kind(kind, pages=html).values():
        for media_type in fmt.media_types:
            offered.setdefault(media_type, fmt.name)
    return MappingProxyType(offered)


def _by_name(kind: str, wanted: str) -> str | None:
    """The format of `kind` that `wanted` (a name, an alias or a media type) names."""
    for fmt in of_kind(kind, pages=True).values():
        if wanted == fmt.name or wanted in fmt.aliases or wanted in fmt.media_types:
            return fmt.name
    return None


def negotiate(kind: str, format_param: str | None, accept: str | None,
              html: bool = True) -> str:
    """The format name for a result of `kind` ("bindings" or "graph").

    `format_param` (a name or a media type) wins; then Accept by q-value, ties broken by
    the order of the header, then by the server's preference; no Accept gives the default
    for the kind. Raises a 406 listing what is supported when nothing fits.
    """
    if format_param:
        wanted = format_param.strip().lower()
        name = _by_name(kind, wanted) or _by_name(kind, wanted.split(";")[0].strip())
        if name is None or (name == "html" and not html):
            fits_other = any(_by_name(k, wanted) not in (None, "html") for k in KINDS if k != kind)
            reason = (f"format {format_param!r} does not fit a {kind} result (use one of "
                      f"{', '.join(of_kind(kind))})" if fits_other else f"format {format_param!r} is not supported")
            raise not_acceptable(kind, html, reason)
        return name
    ranges = parse_accept(accept)
    formats = of_kind(kind, pages=True)
    if not ranges:
        return next(iter(formats))
    scored = []
    for media_type, name in _offered(kind, html).items():
        q = _quality(ranges, media_type)
        if q > 0:
            explicit = min((r.order for r in ranges if r.matches(media_type) and r.specificity == 2),
                           default=len(ranges))
            scored.append((q, -explicit, -formats[name].rank, name))
    if not scored:
        raise not_acceptable(kind, html, "nothing in the Accept header can be produced")
    return max(scored)[3]


def supported(kind: str, html: bool = True) -> list[str]:
    """The canonical media types offered for a kind (one per format)."""
    return [fmt.media_type for fmt in of_kind(kind, pages=html).values()]


def not_acceptable(kind: str, html: bool, reason: str) -> S3GraphError:
    """A 406 error that lists the media types on offer."""
    return S3GraphError(f"{reason}; supported: {', '.join(supported(kind, html))}",
                        status=406, code=Code.NOT_ACCEPTABLE)
