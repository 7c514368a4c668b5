"""Format negotiation for the whole site: explicit format= values, then Accept (RFC 9110 §12.5.1).

`choose` is the one algorithm: it picks among offered media types by an Accept header.
`negotiate` (result formats by name) and `prefers_html` (pages or data) are built on it;
every name and media type comes from the format registry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import NamedTuple

from ..errors import Code, S3GraphError
from .registry import KINDS, of_kind

#: A token of RFC 9110 §5.6.2 (lower-cased): what a type, a subtype or a parameter name is made of.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
#: A qvalue, more lenient than RFC 9110 §12.4.2 (any number of decimals, ".5"): clients send both.
_QVALUE = re.compile(r"\d+(\.\d*)?|\.\d+")
#: Pieces of a header between separators, a quoted string kept whole (it may hold a separator).
_PIECES = {sep: re.compile(rf'(?:[^{sep}"]|"(?:\\.|[^"\\])*"?)+') for sep in ",;"}
#: Every body we send is UTF-8, so a range asking for that charset is satisfied by every offer.
_UTF8 = ("utf-8", "utf8")

Params = tuple[tuple[str, str], ...]
#: The specificity of a range naming a type/subtype (no wildcard): what "explicitly named" means.
NAMED = 4


@dataclass(frozen=True)
class MediaRange:
    """One valid entry of an Accept header: type, subtype, parameters (sorted) and q."""

    type: str
    subtype: str
    params: Params
    q: float

    @property
    def specificity(self) -> int:
        """Higher is more specific: */* 0, type/* 2, type/subtype 4; one more with parameters."""
        level = 0 if self.type == "*" else 1 if self.subtype == "*" else 2
        return 2 * level + (1 if self.params else 0)

    def matches(self, media_type: str) -> bool:
        """True when this range covers `media_type` (its parameters must all be on it)."""
        parsed = _media_type(media_type)
        return parsed is not None and self.covers(*parsed)

    def covers(self, main: str, sub: str, params: Params) -> bool:
        """True when this range covers the parsed media type main/sub;params."""
        return self.type in ("*", main) and self.subtype in ("*", sub) and set(self.params) <= set(params)


def _pieces(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside quoted strings, each piece stripped (empty ones dropped)."""
    return [p.strip() for p in _PIECES[sep].findall(text) if p.strip()]


def _media_type(text: str) -> tuple[str, str, Params] | None:
    """(type, subtype, sorted parameters) of a media type or range, lower-cased; None if invalid."""
    pieces = _pieces(text.lower(), ";")
    main, slash, sub = (pieces[0] if pieces else "").partition("/")
    main, sub = main.strip(), sub.strip()
    if not slash or not _TOKEN.fullmatch(main) or not _TOKEN.fullmatch(sub):
        return None
    if main == "*" and sub != "*":
        return None  # RFC 9110 §12.5.1 has no "*/subtype"
    params = []
    for piece in pieces[1:]:
        key, equals, value = piece.partition("=")
        key, value = key.strip(), value.strip().strip('"')
        if not equals or not _TOKEN.fullmatch(key):
            return None
        params.append((key, value))
    return main, sub, tuple(sorted(params))


def _range(entry: str) -> MediaRange | None:
    """One Accept entry as a range; None when malformed (a bad type, parameter or q)."""
    parsed = _media_type(entry)
    if parsed is None:
        return None
    main, sub, params = parsed
    q = 1.0
    kept = []
    for key, value in params:
        if key == "q":
            # an unreadable q, or one outside [0, 1], is no weight at all: skip the entry (as Werkzeug does)
            if not _QVALUE.fullmatch(value) or not 0.0 <= float(value) <= 1.0:
                return None
            q = float(value)
        elif key == "charset" and value in _UTF8:
            continue
        elif key == "profile" and (main, sub) == ("application", "ld+json"):
            # the JSON-LD registration: a server MUST ignore the profiles it does not serve
            continue
        else:
            kept.append((key, value))
    return MediaRange(main, sub, tuple(kept), q)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The valid ranges of an Accept header, in order; malformed entries are skipped."""
    ranges = (_range(entry) for entry in _pieces(header or "", ","))
    return [r for r in ranges if r is not None]


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """(q, specificity) of the most specific range covering `media_type`; (0, -1) when none does.

    Of equally specific ranges (a repeated range), the highest q counts.
    """
    best = (0.0, -1)
    parsed = _media_type(media_type)
    if parsed is None:
        return best
    for r in ranges:
        if r.covers(*parsed) and (r.specificity, r.q) > (best[1], best[0]):
            best = (r.q, r.specificity)
    return best


def _named_quality(ranges: Sequence[MediaRange], media_type: str, others: Sequence[str]) -> tuple[float, int]:
    """The quality of `media_type`, or of one of its `others` (alias types) when only they are named."""
    own = _quality(ranges, media_type)
    if own[1] >= NAMED:
        return own
    named = [q for q in (_quality(ranges, alias) for alias in others) if q[1] >= NAMED]
    return max(named, key=lambda q: (q[1], q[0])) if named else own


def choose(offered: Sequence[str], accept: str | None,
           aliases: Mapping[str, str] | None = None) -> str | None:
    """The offered media type an Accept header prefers (RFC 9110 §12.5.1), None if none is acceptable.

    `offered` is in the server's order of preference. The q of a type is the q of the most
    specific range covering it, so `text/turtle;q=0, */*` refuses Turtle; q=0 is "not
    this". Equal q: the type a more specific range covers wins, then the earlier offered.
    `aliases` maps other media types to an offered one they stand for when named in the
    header (never through a wildcard, and never over the offered type named itself). An
    absent Accept, or one without a single valid range, accepts anything: the first offered.
    """
    ranges = parse_accept(accept)
    if not ranges or not offered:
        return offered[0] if offered else None
    others: dict[str, list[str]] = {}
    for alias, target in (aliases or {}).items():
        others.setdefault(target, []).append(alias)
    scored = []
    for index, media_type in enumerate(offered):
        q, specificity = _named_quality(ranges, media_type, others.get(media_type, ()))
        if q > 0:
            scored.append((q, specificity, -index, media_type))
    return max(scored)[3] if scored else None


class Offer(NamedTuple):
    """What a negotiation offers: media types by preference, alias types, and the format of each."""

    offered: tuple[str, ...]
    aliases: Mapping[str, str]
    names: Mapping[str, str]


@cache
def _offer(kind: str, html: bool) -> Offer:
    """The offer for a result kind: each format's Content-Type by rank, its other types as aliases."""
    formats = of_kind(kind, pages=html).values()
    names = {f.media_type: f.name for f in sorted(formats, key=lambda f: f.rank)}
    aliases: dict[str, str] = {}
    for fmt in formats:  # table order: the first format listing a shared type gets it
        for media_type in fmt.media_types[1:]:
            if media_type not in names:
                aliases.setdefault(media_type, fmt.media_type)
    return Offer(tuple(names), MappingProxyType(aliases), MappingProxyType(names))


@cache
def _html_offer() -> Offer:
    """HTML against the data formats of every kind, offered last so that a tie (`*/*`) is data."""
    data = [_offer(kind, False) for kind in KINDS]
    offered = dict.fromkeys(t for offer in data for t in offer.offered)
    aliases: dict[str, str] = {}
    for offer in data:
        for alias, target in offer.aliases.items():
            if alias not in offered:
                aliases.setdefault(alias, target)
    pages = [f.media_type for kind in KINDS for f in of_kind(kind, pages=True).values() if f.is_page]
    offered.update(dict.fromkeys(pages))
    return Offer(tuple(offered), MappingProxyType(aliases), MappingProxyType({}))


def prefers_html(accept: str | None) -> bool:
    """True when an Accept header prefers HTML (a browser) over the RDF and JSON formats."""
    offer = _html_offer()
    return choose(offer.offered, accept, offer.aliases) == offer.offered[-1]


def _named(kind: str, value: str, html: bool) -> str | None:
    """The format of `kind` that a format= value names (a name, an alias, a media type, or a
    comma-separated list of those: the first that names one); None when none does."""
    formats = of_kind(kind, pages=html).values()
    for piece in value.split(","):
        wanted = piece.strip().lower()
        for spelling in (wanted, wanted.split(";")[0].strip()):
            for fmt in formats:
                if spelling == fmt.name or spelling in fmt.aliases or spelling in fmt.media_types:
                    return fmt.name
    return None


def negotiate(kind: str, format_params: str | Sequence[str] | None, accept: str | None,
              html: bool = True) -> str:
    """The format name for a result of `kind` ("bindings" or "graph").

    `format_params` holds every format= value of the request, in order (or one, or None):
    the first that names a format of this kind wins. Values naming nothing known, or only
    a format of another kind, are passed over for Accept (see `choose`); the server's
    preference is the formats' rank. Raises a 406 listing what is supported when nothing fits.
    """
    values = (format_params,) if isinstance(format_params, str) else tuple(format_params or ())
    for value in values:
        name = _named(kind, value, html)
        if name is not None:
            return name
    chosen = _by_accept(kind, html, accept or "")
    if chosen is None:
        reason = "nothing in the Accept header can be produced"
        if any(values):
            reason += f" (and format={', '.join(repr(v) for v in values)} names no {kind} format)"
        raise not_acceptable(kind, html, reason)
    return chosen


#: Accept headers longer than this are negotiated afresh each time, never kept (an attacker's
#: many long headers must not fill memory); clients send the same short one again and again.
CACHED_ACCEPT = 512


def _by_accept(kind: str, html: bool, accept: str) -> str | None:
    """The format name Accept chooses for a kind (None: nothing acceptable), remembered for
    the short headers real clients repeat (choose is pure: same header, same answer)."""
    return (_chosen_kept if len(accept) <= CACHED_ACCEPT else _chosen)(kind, html, accept)


def _chosen(kind: str, html: bool, accept: str) -> str | None:
    offer = _offer(kind, html)
    chosen = choose(offer.offered, accept, offer.aliases)
    return None if chosen is None else offer.names[chosen]


_chosen_kept = lru_cache(maxsize=2048)(_chosen)


def supported(kind: str, html: bool = True) -> list[str]:
    """The canonical media types offered for a kind (one per format)."""
    return [fmt.media_type for fmt in of_kind(kind, pages=html).values()]


def not_acceptable(kind: str, html: bool, reason: str) -> S3GraphError:
    """A 406 error that lists the media types on offer."""
    return S3GraphError(f"{reason}; supported: {', '.join(supported(kind, html))}",
                        status=406, code=Code.NOT_ACCEPTABLE)
