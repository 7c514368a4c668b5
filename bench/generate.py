#!/usr/bin/env python3
"""Deterministic synthetic data for benchmarking s3graph, shaped like data/*.ttl.

The file holds, in the vocabulary of ontology/s3.ttl and with the IRI scheme of the real
data (https://w3id.org/s3graph/id/<kind>/...):

* territories at NUTS levels 0-3 (s3:Country, s3:NUTS1Region ... s3:NUTS3Region) with
  s3:nutsCode, s3:nutsLevel, rdfs:label in English and Swedish (about 30 % of the NUTS-3
  regions have a Swedish label only, as the Swedish counties in data/nuts.ttl),
  s3:directlyWithin, s3:country and s3:nutsConcept. The first country is Sweden with its
  real NUTS 2021 codes and county names (so canned-query defaults such as SE312 resolve);
  the others are made-up countries with two-letter codes and made-up names;
* regional authorities (s3:RegionalAuthority) with rdfs:label and s3:governs;
* collaborations of the s3 classes (platforms, thematic platforms and partnerships,
  initiatives and their pilots, policy pilots, Interreg programmes and projects) with
  rdfs:label, s3:topic, s3:componentOf (partnerships and pilots) and s3:programme;
* s3:Participation nodes with org:member, org:organization, org:role and dcterms:source
  (some with s3:selectedOn);
* sources (s3:Source), a topic scheme and the participation roles.

Territories, authorities and collaborations make up about 40 % of the triples, the
participations fill the rest up to the requested size, which is met within a few triples.
The same --triples and --seed always give the same bytes.

    python bench/generate.py --triples 100000 -o bench/.work/data/synthetic-100000/synthetic.ttl
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

BASE = "https://w3id.org/s3graph/"

PREFIXES = f"""\
@prefix s3:        <{BASE}ontology#> .
@prefix src:       <{BASE}id/source/> .
@prefix territory: <{BASE}id/territory/> .
@prefix authority: <{BASE}id/authority/> .
@prefix collab:    <{BASE}id/collaboration/> .
@prefix part:      <{BASE}id/participation/> .
@prefix role:      <{BASE}id/role/> .
@prefix topic:     <{BASE}id/topic/> .
@prefix agent:     <{BASE}id/organisation/> .
@prefix nuts:      <http://data.europa.eu/nuts/code/> .
@prefix org:       <http://www.w3.org/ns/org#> .
@prefix dcterms:   <http://purl.org/dc/terms/> .
@prefix prov:      <http://www.w3.org/ns/prov#> .
@prefix rdfs:      <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:      <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:       <http://www.w3.org/2001/XMLSchema#> .
"""

#: Sweden's NUTS 2021 tree (code -> (Swedish name, parent)), as in data/nuts.ttl.
SWEDEN: dict[str, tuple[str, str | None]] = {
    "SE": ("Sverige", None),
    "SE1": ("Östra Sverige", "SE"), "SE2": ("Södra Sverige", "SE"), "SE3": ("Norra Sverige", "SE"),
    "SE11": ("Stockholm", "SE1"), "SE12": ("Östra Mellansverige", "SE1"),
    "SE21": ("Småland med öarna", "SE2"), "SE22": ("Sydsverige", "SE2"), "SE23": ("Västsverige", "SE2"),
    "SE31": ("Norra Mellansverige", "SE3"), "SE32": ("Mellersta Norrland", "SE3"),
    "SE33": ("Övre Norrland", "SE3"),
    "SE110": ("Stockholms län", "SE11"), "SE121": ("Uppsala län", "SE12"),
    "SE122": ("Södermanlands län", "SE12"), "SE123": ("Östergötlands län", "SE12"),
    "SE124": ("Örebro län", "SE12"), "SE125": ("Västmanlands län", "SE12"),
    "SE211": ("Jönköpings län", "SE21"), "SE212": ("Kronobergs län", "SE21"),
    "SE213": ("Kalmar län", "SE21"), "SE214": ("Gotlands län", "SE21"),
    "SE221": ("Blekinge län", "SE22"), "SE224": ("Skåne län", "SE22"),
    "SE231": ("Hallands län", "SE23"), "SE232": ("Västra Götalands län", "SE23"),
    "SE311": ("Värmlands län", "SE31"), "SE312": ("Dalarnas län", "SE31"),
    "SE313": ("Gävleborgs län", "SE31"), "SE321": ("Västernorrlands län", "SE32"),
    "SE322": ("Jämtlands län", "SE32"), "SE331": ("Västerbottens län", "SE33"),
    "SE332": ("Norrbottens län", "SE33"),
}
#: The ISO 3166-2 codes of the Swedish counties (data/iso-3166.ttl).
SWEDEN_ISO = {
    "SE110": "SE-AB", "SE121": "SE-C", "SE122": "SE-D", "SE123": "SE-E", "SE124": "SE-T",
    "SE125": "SE-U", "SE211": "SE-F", "SE212": "SE-G", "SE213": "SE-H", "SE214": "SE-I",
    "SE221": "SE-K", "SE224": "SE-M", "SE231": "SE-N", "SE232": "SE-O", "SE311": "SE-S",
    "SE312": "SE-W", "SE313": "SE-X", "SE321": "SE-Y", "SE322": "SE-Z", "SE331": "SE-AC",
    "SE332": "SE-BD",
}
NUTS_CHARS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SYLLABLES = ("al", "an", "ber", "bo", "da", "dal", "en", "fa", "gen", "gö", "ha", "holm", "in",
             "ja", "ka", "kö", "la", "lin", "ma", "mar", "na", "nor", "o", "pa", "ra", "ren",
             "sa", "sö", "ta", "tor", "u", "va", "väs", "ve", "vik", "å", "ös", "ber", "stad")
ROLES = (  # slug, English, Swedish, broader
    ("member", "member", "medlem", None),
    ("participant", "participant", "deltagare", None),
    ("partner", "partner", "partner", None),
    ("lead-partner", "lead partner", "huvudpartner", "partner"),
    ("co-lead", "co-lead", "medledare", "participant"),
    ("pilot-region", "pilot region", "pilotregion", None),
)
TOPICS = (  # top concepts (English, Swedish); narrower ones are made up below them
    ("smart specialisation", "smart specialisering"), ("industrial modernisation", "industriell modernisering"),
    ("agri-food", "livsmedel"), ("energy", "energi"), ("bio-economy", "bioekonomi"),
    ("circular economy", "cirkulär ekonomi"), ("digital economy", "digital ekonomi"),
    ("nanotechnology", "nanoteknik"), ("health", "hälsa"), ("tourism", "turism"),
    ("maritime", "maritim"), ("mobility", "mobilitet"),
)
#: Collaborations shared by all countries: (class, how many, role of their members).
GLOBAL_COLLABORATIONS = (
    ("Platform", 2, "member"), ("ThematicPlatform", 6, "member"), ("Initiative", 4, "member"),
    ("InterregProgramme", 6, "member"), ("PolicyPilot", 3, "pilot-region"),
)
#: Collaborations of one country: (class, weight, role of their members).
LOCAL_COLLABORATIONS = (
    ("ThematicPartnership", 3, "participant"), ("InitiativePilot", 2, "participant"),
    ("InterregProject", 4, "partner"), ("Project", 1, "partner"), ("PolicyPilot", 0.3, "pilot-region"),
)
CLASS_WORDS = {
    "Platform": ("platform", "plattform"), "ThematicPlatform": ("thematic platform", "tematisk plattform"),
    "ThematicPartnership": ("partnership", "partnerskap"), "Initiative": ("initiative", "initiativ"),
    "InitiativePilot": ("pilot", "pilot"), "PolicyPilot": ("policy pilot", "policypilot"),
    "InterregProgramme": ("Interreg programme", "Interregprogram"), "InterregProject": ("project", "projekt"),
    "Project": ("project", "projekt"),
}


@dataclass
class Territory:
    """A territory as written: code, level, country code, parent code."""

    code: str
    level: int
    country: str
    parent: str | None
    name: str


@dataclass
class Collaboration:
    """A collaboration and the role its members get."""

    slug: str
    cls: str
    role: str
    country: str | None


@dataclass
class Writer:
    """Writes Turtle statements and counts the triples written."""

    out: TextIO
    triples: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    _buffer: list[str] = field(default_factory=list)

    def statement(self, kind: str, subject: str, pairs: Iterable[tuple[str, str | list[str]]]) -> None:
        """Write `subject p o ; p o , o .`, counting one triple per object."""
        parts = []
        n = 0
        for predicate, objects in pairs:
            objs = objects if isinstance(objects, list) else [objects]
            if not objs:
                continue
            parts.append(f"{predicate} {' , '.join(objs)}")
            n += len(objs)
        self._buffer.append(f"{subject} " + " ;\n    ".join(parts) + " .\n")
        self.triples += n
        self.counts[kind] = self.counts.get(kind, 0) + n
        if len(self._buffer) >= 4096:
            self.flush()

    def comment(self, text: str) -> None:
        """Write a comment line (and a blank line before it)."""
        self._buffer.append(f"\n# {text}\n")

    def flush(self) -> None:
        """Write out what is buffered."""
        self.out.write("".join(self._buffer))
        self._buffer.clear()


def lit(text: str, lang: str | None = None) -> str:
    """A Turtle literal (the generated text needs no escapes beyond these)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def slugify(text: str) -> str:
    """A kebab-case ASCII slug."""
    table = str.maketrans("åäöéü", "aaoeu")
    out = "".join(c if c.isalnum() else "-" for c in text.lower().translate(table))
    return "-".join(p for p in out.split("-") if p)


class Generator:
    """Makes the synthetic graph from a seed; `run` writes about `target` triples."""

    def __init__(self, target: int, seed: int) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.names_used: set[str] = set()
        self.territories: list[Territory] = []
        self.authorities: list[tuple[str, str]] = []  # (slug, country)
        self.pilot_members: list[tuple[str, str]] = []  # territories that take part themselves
        self.collaborations: list[Collaboration] = []
        self.local: dict[str, list[int]] = {}  # country -> indexes into collaborations
        self.sources: list[str] = []
        self.n_global = 0
        self.topics: list[str] = []
        self.country_codes = (a + b for a, b in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=2)
                              if a + b != "SE")

    def name(self) -> str:
        """A made-up place name, unique within the file."""
        while True:
            n = self.rng.choice((2, 3, 3, 4))
            text = "".join(self.rng.choice(SYLLABLES) for _ in range(n)).capitalize()
            if text not in self.names_used:
                self.names_used.add(text)
                return text

    # -- vocabularies and sources -------------------------------------------------------

    def vocabularies(self, w: Writer) -> None:
        w.comment("The topic scheme and the participation roles (as data/vocabularies.ttl).")
        w.statement("vocabulary", "topic:scheme", [
            ("a", "skos:ConceptScheme"),
            ("skos:prefLabel", [lit("synthetic topics", "en"), lit("syntetiska teman", "sv")])])
        for en, sv in TOPICS:
            top = slugify(en)
            self.topics.append(top)
            w.statement("vocabulary", f"topic:{top}", [
                ("a", "skos:Concept"), ("skos:inScheme", "topic:scheme"),
                ("skos:topConceptOf", "topic:scheme"),
                ("skos:prefLabel", [lit(en, "en"), lit(sv, "sv")])])
            for _ in range(self.rng.randint(3, 6)):
                word = self.name().lower()
                slug = f"{top}-{slugify(word)}"
                self.topics.append(slug)
                w.statement("vocabulary", f"topic:{slug}", [
                    ("a", "skos:Concept"), ("skos:inScheme", "topic:scheme"),
                    ("skos:broader", f"topic:{top}"),
                    ("skos:prefLabel", [lit(f"{en}: {word}", "en"), lit(f"{sv}: {word}", "sv")])])
        w.statement("vocabulary", "role:scheme", [
            ("a", "skos:ConceptScheme"),
            ("skos:prefLabel", [lit("participation roles", "en"), lit("deltagarroller", "sv")])])
        for slug, en, sv, broader in ROLES:
            pairs: list[tuple[str, str | list[str]]] = [
                ("a", "s3:Role"), ("skos:inScheme", "role:scheme"),
                ("skos:prefLabel", [lit(en, "en"), lit(sv, "sv")])]
            if broader:
                pairs.append(("skos:broader", f"role:{broader}"))
            w.statement("vocabulary", f"role:{slug}", pairs)

    def source(self, w: Writer, title: str) -> str:
        slug = f"synthetic-{len(self.sources) + 1}"
        self.sources.append(slug)
        month = self.rng.randint(1, 12)
        w.statement("source", f"src:{slug}", [
            ("a", "s3:Source"), ("dcterms:title", lit(title, "en")),
            ("dcterms:publisher", lit("s3graph benchmark generator", "en")),
            ("s3:retrievedOn", f'"2026-{month:02d}-{self.rng.randint(1, 28):02d}"^^xsd:date')])
        return slug

    # -- territories and authorities ----------------------------------------------------

    def territory(self, w: Writer, t: Territory, en: str | None, sv: str, iso: str | None = None) -> None:
        classes = ["s3:Country"] if t.level == 0 else [f"s3:NUTS{t.level}Region"]
        if t.level == 3 and t.country == "SE":
            classes.append("s3:County")
        labels = [lit(sv, "sv")] + ([lit(en, "en")] if en else [])
        pairs: list[tuple[str, str | list[str]]] = [
            ("a", classes), ("rdfs:label", labels), ("s3:nutsCode", lit(t.code)),
            ("s3:nutsLevel", str(t.level))]
        if t.parent:
            pairs += [("s3:directlyWithin", f"territory:{t.parent}"), ("s3:country", f"territory:{t.country}")]
        if iso:
            pairs.append(("s3:isoCode", lit(iso)))
        pairs.append(("s3:nutsConcept", f"nuts:{t.code}"))
        w.statement("territory", f"territory:{t.code}", pairs)
        self.territories.append(t)

    def authority(self, w: Writer, t: Territory, label: str, source: str) -> None:
        slug = f"region-{slugify(label.removeprefix('Region '))}-{t.code.lower()}"
        w.statement("authority", f"authority:{slug}", [
            ("a", "s3:RegionalAuthority"), ("rdfs:label", [lit(label, "en"), lit(label, "sv")]),
            ("s3:governs", f"territory:{t.code}"), ("dcterms:source", f"src:{source}")])
        self.authorities.append((slug, t.country))

    def sweden(self, w: Writer) -> None:
        w.comment("Sweden, with its real NUTS 2021 codes and names (as data/nuts.ttl).")
        source = self.source(w, "Synthetic facts about Sweden")
        for code, (name, parent) in SWEDEN.items():
            level = 0 if parent is None else len(code) - 2
            t = Territory(code, level, "SE", parent, name)
            en = "Sweden" if level == 0 else (name if level < 3 else None)
            self.territory(w, t, en, name, SWEDEN_ISO.get(code, "SE" if level == 0 else None))
            if level == 3:
                county = name.removesuffix(" län")
                county = county[:-1] if county.endswith("s") and not county.endswith("ss") else county
                self.authority(w, t, f"Region {county}", source)
            elif level == 2:
                self.pilot_members.append((code, "SE"))

    def country(self, w: Writer) -> str:
        code = next(self.country_codes)
        w.comment(f"Country {code}")
        source = self.source(w, f"Synthetic facts about country {code}")
        name = self.name()
        self.territory(w, Territory(code, 0, code, None, name), name, name, code)
        for c1 in NUTS_CHARS[:self.rng.randint(2, 6)]:
            t1 = Territory(code + c1, 1, code, code, self.name())
            self.territory(w, t1, t1.name, t1.name)
            for c2 in NUTS_CHARS[:self.rng.randint(2, 5)]:
                t2 = Territory(t1.code + c2, 2, code, t1.code, self.name())
                self.territory(w, t2, t2.name, t2.name)
                self.pilot_members.append((t2.code, code))
                if self.rng.random() < 0.5:
                    self.authority(w, t2, f"Region {t2.name}", source)
                for c3 in NUTS_CHARS[:self.rng.randint(2, 7)]:
                    t3 = Territory(t2.code + c3, 3, code, t2.code, self.name())
                    en = t3.name if self.rng.random() < 0.7 else None
                    self.territory(w, t3, en, f"{t3.name} län" if self.rng.random() < 0.5 else t3.name)
                    self.authority(w, t3, f"Region {t3.name}", source)
        return code

    # -- collaborations -----------------------------------------------------------------

    def collaboration(self, w: Writer, cls: str, role: str, country: str | None, source: str) -> None:
        index = len(self.collaborations)
        word = self.name()
        en_word, sv_word = CLASS_WORDS[cls]
        slug = f"{slugify(cls)}-{index + 1}"
        topics = self.rng.sample(self.topics, self.rng.choice((1, 1, 2)))
        pairs: list[tuple[str, str | list[str]]] = [
            ("a", f"s3:{cls}"),
            ("rdfs:label", [lit(f"{word} {en_word}", "en"), lit(f"{word} {sv_word}", "sv")]),
            ("s3:topic", [f"topic:{t}" for t in topics])]
        parent_cls = {"ThematicPartnership": "ThematicPlatform", "InitiativePilot": "Initiative"}.get(cls)
        if parent_cls:
            parents = [c for c in self.collaborations[:self.n_global] if c.cls == parent_cls]
            pairs.append(("s3:componentOf", f"collab:{self.rng.choice(parents).slug}"))
        if cls == "InterregProject":
            programmes = [c for c in self.collaborations[:self.n_global] if c.cls == "InterregProgramme"]
            pairs.append(("s3:programme", f"collab:{self.rng.choice(programmes).slug}"))
        pairs.append(("dcterms:source", f"src:{source}"))
        w.statement("collaboration", f"collab:{slug}", pairs)
        self.collaborations.append(Collaboration(slug, cls, role, country))
        if country is not None:
            self.local.setdefault(country, []).append(index)

    def local_collaborations(self, w: Writer, country: str, authorities: int) -> None:
        source = self.source(w, f"Synthetic collaborations led from {country}")
        classes = [c for c, _, _ in LOCAL_COLLABORATIONS]
        weights = [k for _, k, _ in LOCAL_COLLABORATIONS]
        roles = {c: r for c, _, r in LOCAL_COLLABORATIONS}
        for _ in range(max(2, authorities // 5)):
            cls = self.rng.choices(classes, weights)[0]
            self.collaboration(w, cls, roles[cls], country, source)

    # -- participations -----------------------------------------------------------------

    def participations(self, w: Writer) -> None:
        w.comment("Participations (n-ary: member, collaboration, role, source).")
        n = 0
        while w.triples < self.target:
            n += 1
            if self.rng.random() < 0.1:
                member, country = self.rng.choice(self.pilot_members)
                member_iri = f"territory:{member}"
            else:
                slug, country = self.rng.choice(self.authorities)
                member_iri = f"authority:{slug}"
            r = self.rng.random()
            own = self.local.get(country)
            if r < 0.5 and own:
                c = self.collaborations[self.rng.choice(own)]
            elif r < 0.8:
                c = self.rng.choice(self.collaborations)
            else:
                c = self.rng.choice(self.collaborations[:self.n_global])
            role = c.role
            if role == "partner" and self.rng.random() < 0.15:
                role = "lead-partner"
            elif role == "participant" and self.rng.random() < 0.1:
                role = "co-lead"
            pairs: list[tuple[str, str | list[str]]] = [
                ("a", "s3:Participation"), ("org:member", member_iri),
                ("org:organization", f"collab:{c.slug}"), ("org:role", f"role:{role}"),
                ("dcterms:source", f"src:{self.rng.choice(self.sources)}")]
            if self.rng.random() < 0.25:
                pairs.append(("s3:selectedOn", f'"{self.rng.randint(2014, 2026)}"^^xsd:gYear'))
            w.statement("participation", f"part:p{n}", pairs)

    # -- the whole file -----------------------------------------------------------------

    def run(self, out: TextIO) -> Writer:
        w = Writer(out)
        out.write("# Synthetic s3graph data for benchmarks, made by bench/generate.py "
                  f"(target {self.target} triples). Not real facts.\n")
        out.write(PREFIXES)
        w.statement("graph", f"<{BASE}graph/synthetic>", [
            ("a", "prov:Entity"), ("rdfs:label", lit("Synthetic benchmark data", "en")),
            ("prov:wasAttributedTo", "agent:s3graph")])
        w.statement("graph", "agent:s3graph", [("a", "org:Organization"),
                                               ("rdfs:label", lit("The s3graph developers", "en"))])
        self.vocabularies(w)
        source = self.source(w, "Synthetic shared collaborations")
        w.comment("Collaborations shared by all countries.")
        for cls, count, role in GLOBAL_COLLABORATIONS:
            for _ in range(count):
                self.collaboration(w, cls, role, None, source)
        self.n_global = len(self.collaborations)
        structure = 0.4 * self.target
        self.sweden(w)
        self.local_collaborations(w, "SE", 21)
        while w.triples < structure:
            before = len(self.authorities)
            code = self.country(w)
            self.local_collaborations(w, code, len(self.authorities) - before)
        self.participations(w)
        w.flush()
        return w


def generate(target: int, seed: int, path: Path) -> Writer:
    """Write the synthetic file for `target` triples to `path` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        writer = Generator(target, seed).run(out)
    tmp.replace(path)
    return writer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000, help="how many triples (default 100000)")
    parser.add_argument("--seed", type=int, default=20261124, help="random seed (default 20261124)")
    parser.add_argument("-o", "--output", required=True,
                        help="the Turtle file to write; its folder can be s3graph's --data-dir")
    args = parser.parse_args(argv)
    if args.triples < 1000:
        parser.error("--triples must be at least 1000")
    started = time.perf_counter()
    writer = generate(args.triples, args.seed, Path(args.output))
    parts = ", ".join(f"{k} {v}" for k, v in writer.counts.items())
    print(f"generate: wrote {writer.triples} triples to {args.output} in "
          f"{time.perf_counter() - started:.1f} s ({parts})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
