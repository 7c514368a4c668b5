"""Expected facts, transcribed once from the source document and the identifier tables the data
was made from (NUTS 2021, ISO 3166-2:SE, Wikidata); the tests never read anything outside
the project."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    """One Swedish county: English short name, NUTS-3, ISO 3166-2, NUTS-2, Wikidata QID, Swedish name."""

    name: str
    nuts: str
    iso: str
    nuts2: str
    wikidata: str
    swedish: str


COUNTIES = (
    County("Stockholm", "SE110", "SE-AB", "SE11", "Q104231", "Stockholms län"),
    County("Uppsala", "SE121", "SE-C", "SE12", "Q104926", "Uppsala län"),
    County("Södermanland", "SE122", "SE-D", "SE12", "Q106915", "Södermanlands län"),
    County("Östergötland", "SE123", "SE-E", "SE12", "Q104940", "Östergötlands län"),
    County("Örebro", "SE124", "SE-T", "SE12", "Q104257", "Örebro län"),
    County("Västmanland", "SE125", "SE-U", "SE12", "Q105075", "Västmanlands län"),
    County("Jönköping", "SE211", "SE-F", "SE21", "Q103672", "Jönköpings län"),
    County("Kronoberg", "SE212", "SE-G", "SE21", "Q104746", "Kronobergs län"),
    County("Kalmar", "SE213", "SE-H", "SE21", "Q103707", "Kalmar län"),
    County("Gotland", "SE214", "SE-I", "SE21", "Q103738", "Gotlands län"),
    County("Blekinge", "SE221", "SE-K", "SE22", "Q102377", "Blekinge län"),
    County("Skåne", "SE224", "SE-M", "SE22", "Q103659", "Skåne län"),
    County("Halland", "SE231", "SE-N", "SE23", "Q103691", "Hallands län"),
    County("Västra Götaland", "SE232", "SE-O", "SE23", "Q103093", "Västra Götalands län"),
    County("Värmland", "SE311", "SE-S", "SE31", "Q106789", "Värmlands län"),
    County("Dalarna", "SE312", "SE-W", "SE31", "Q103732", "Dalarnas län"),
    County("Gävleborg", "SE313", "SE-X", "SE31", "Q103699", "Gävleborgs län"),
    County("Västernorrland", "SE321", "SE-Y", "SE32", "Q104891", "Västernorrlands län"),
    County("Jämtland", "SE322", "SE-Z", "SE32", "Q103679", "Jämtlands län"),
    County("Västerbotten", "SE331", "SE-AC", "SE33", "Q104877", "Västerbottens län"),
    County("Norrbotten", "SE332", "SE-BD", "SE33", "Q103686", "Norrbottens län"),
)

# "Region Dalarna, Gävleborg, Jämtland, Skåne, Stockholm, Södermanland, Värmland, Västerbotten,
# Västra Götaland, Örebro and Östergötland are Swedish members of the S3 platform."
# (county, slug of the authority and of its participations)
S3_PLATFORM_MEMBERS = [
    ("Dalarna", "dalarna"), ("Gävleborg", "gavleborg"), ("Jämtland", "jamtland"), ("Skåne", "skane"),
    ("Stockholm", "stockholm"), ("Södermanland", "sodermanland"), ("Värmland", "varmland"),
    ("Västerbotten", "vasterbotten"), ("Västra Götaland", "vastra-gotaland"), ("Örebro", "orebro"),
    ("Östergötland", "ostergotland"),
]

# The 21 regional authorities under today's official names (transcribed from the public
# material data/authorities.ttl cites): county -> (slug, official name, how far confirmed:
# "site" = the authority's own site, "press" = the press naming it, None = unverified).
AUTHORITIES = {
    "Stockholm": ("stockholm", "Region Stockholm", None),
    "Uppsala": ("uppsala", "Region Uppsala", None),
    "Södermanland": ("sodermanland", "Region Sörmland", None),
    "Östergötland": ("ostergotland", "Region Östergötland", None),
    "Örebro": ("orebro", "Region Örebro län", None),
    "Västmanland": ("vastmanland", "Region Västmanland", None),
    "Jönköping": ("jonkoping", "Region Jönköpings län", None),
    "Kronoberg": ("kronoberg", "Region Kronoberg", None),
    "Kalmar": ("kalmar", "Region Kalmar län", None),
    "Gotland": ("gotland", "Region Gotland", None),
    "Blekinge": ("blekinge", "Region Blekinge", None),
    "Skåne": ("skane", "Region Skåne", "press"),
    "Halland": ("halland", "Region Halland", None),
    "Västra Götaland": ("vastra-gotaland", "Västra Götalandsregionen", "press"),
    "Värmland": ("varmland", "Region Värmland", None),
    "Dalarna": ("dalarna", "Region Dalarna", None),
    "Gävleborg": ("gavleborg", "Region Gävleborg", None),
    "Västernorrland": ("vasternorrland", "Region Västernorrland", "site"),
    "Jämtland": ("jamtland", "Region Jämtland Härjedalen", "site"),
    "Västerbotten": ("vasterbotten", "Region Västerbotten", "press"),
    "Norrbotten": ("norrbotten", "Region Norrbotten", "press"),
}
