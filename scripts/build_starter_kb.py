"""Generate veille/data/kb/starter.ftm.json, Veille's starter knowledge base.

Run from the repository root::

    .venv/bin/python scripts/build_starter_kb.py [--output PATH]

The output is FollowTheMoney (FtM) entities as JSON lines, one entity per line,
in the shape OpenSanctions publishes its ``entities.ftm.json`` exports::

    {"id": ..., "schema": ..., "caption": ..., "properties": {...},
     "datasets": ["veille_starter"], "referents": [], "first_seen": ...,
     "last_seen": ..., "last_change": ..., "target": false}

Sources:

1. ``veille/data/actors/countries.json``: every country, as a ``Territory``
   (FtM 4 has no Country schema; ``Territory`` is its schema for countries and
   other administrative areas, with deterministic ids, the one OpenSanctions
   uses for its territory reference data). Names in every language become
   ``name`` (the canonical English name) and ``alias``; acronyms ("US",
   "DPRK", "ОАЭ") become ``weakAlias``.
2. ``veille/data/actors/actors.toml``: people (``Person``) and organisations
   (``Organization``, or ``PublicBody`` for ministries, offices, parliaments,
   agencies and armed forces of a state). Cities, regions, seas and facilities
   (GPE/LOC/FAC) are left out: the knowledge base holds actors, and countries
   come from countries.json. Anaphoric forms ("the Alliance") are left out too:
   they name an actor only inside an article that has named it in full.
3. ``veille/data/kb/office_holders.toml``: hand-kept records, in the actors.toml
   shape, for current office-holders the actor table lacks.

People get ``position`` from their roles and ``topics`` from what the roles
say: ``role.pep`` for a current political office (head of state or
government, minister, legislator, senior official, ambassador, head of an
international organisation...), ``gov.head`` for a current national head of
state or government, ``role.pep.frmr`` when every such office is past, and
``role.pol``, ``role.diplo``, ``mil``, ``gov.security``, ``gov.religion`` where
a current role says so. The dead (``DECEASED``) get no role topics.

Deterministic: entities sorted by id, ids derived from keys
(``per:vladimir-putin`` -> ``veille-per-vladimir-putin``, ``country:kp`` ->
``veille-country-kp``), dates fixed at ``DATA_DATE``. Running the script twice
writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "veille" / "data" / "actors"
KB = ROOT / "veille" / "data" / "kb"
OUTPUT = KB / "starter.ftm.json"
SOURCES = [ACTORS / "actors.toml", KB / "office_holders.toml"]

DATASET = "veille_starter"
#: the date of the data: first_seen, last_seen and last_change of every entity
DATA_DATE = "2026-11-25"
UNCERTAIN_ROLES_NOTE = "Offices as known in 2025; not confirmed as still held."

# ---------------------------------------------------------------------------
# Organisations: schema and topics. Intergovernmental organisations stay
# Organization (topic gov.igo); a state's own bodies are PublicBody.
# ---------------------------------------------------------------------------

IGO = "gov.igo"
NATIONAL = "gov.national"
EXECUTIVE = "gov.executive"
LEGISLATIVE = "gov.legislative"
SECURITY = "gov.security"

IGOS: dict[str, tuple[str, ...]] = {
    "org:un": (), "org:unsc": (), "org:unga": (LEGISLATIVE,), "org:unhrc": (), "org:ohchr": (),
    "org:unhcr": (), "org:unicef": (), "org:wfp": (), "org:unrwa": (), "org:ocha": (), "org:undp": (),
    "org:unesco": (), "org:fao": (), "org:who": (), "org:iaea": (), "org:opcw": (),
    "org:icj": ("gov.judicial",), "org:icc": ("gov.judicial",), "org:interpol": (SECURITY,),
    "org:nato": ("mil",), "org:eu": (), "org:european-commission": (EXECUTIVE,),
    "org:european-parliament": (LEGISLATIVE,), "org:council-of-the-eu": (), "org:european-council": (),
    "org:ecb": ("gov.financial",), "org:council-of-europe": (), "org:osce": (), "org:imf": (),
    "org:world-bank": (), "org:wto": (), "org:oecd": (), "org:fatf": ("gov.financial",), "org:opec": (),
    "org:g7": (), "org:g20": (), "org:brics": (), "org:sco": (), "org:csto": ("mil",), "org:asean": (),
    "org:apec": (), "org:african-union": (), "org:ecowas": (), "org:arab-league": (), "org:gcc": (),
    "org:oas": (), "org:quad": (), "org:aukus": ("mil",), "org:five-eyes": (SECURITY,),
    "org:msmt": (), "org:un-panel-of-experts-dprk": (),
}

PUBLIC_BODIES: dict[str, tuple[str, ...]] = {
    "org:kremlin": (NATIONAL, EXECUTIVE), "org:white-house": (NATIONAL, EXECUTIVE),
    "org:elysee": (NATIONAL, EXECUTIVE), "org:downing-street": (NATIONAL, EXECUTIVE),
    "org:pentagon": (NATIONAL, EXECUTIVE, "mil"),
    "org:us-state-department": (NATIONAL, EXECUTIVE), "org:us-treasury": (NATIONAL, EXECUTIVE),
    "org:ofac": (NATIONAL, "gov.financial"),
    "org:russian-foreign-ministry": (NATIONAL, EXECUTIVE), "org:chinese-foreign-ministry": (NATIONAL, EXECUTIVE),
    "org:german-foreign-office": (NATIONAL, EXECUTIVE), "org:south-korean-foreign-ministry": (NATIONAL, EXECUTIVE),
    "org:philippine-dfa": (NATIONAL, EXECUTIVE), "org:security-council-of-russia": (NATIONAL, EXECUTIVE, SECURITY),
    "org:palestinian-authority": (NATIONAL, EXECUTIVE),
    "org:us-congress": (NATIONAL, LEGISLATIVE), "org:state-duma": (NATIONAL, LEGISLATIVE),
    "org:federation-council": (NATIONAL, LEGISLATIVE), "org:national-assembly-south-korea": (NATIONAL, LEGISLATIVE),
    "org:cia": (NATIONAL, SECURITY), "org:fsb": (NATIONAL, SECURITY), "org:gru": (NATIONAL, SECURITY, "mil"),
    "org:nis": (NATIONAL, SECURITY), "org:mossad": (NATIONAL, SECURITY),
    "org:china-coast-guard": (NATIONAL, SECURITY), "org:philippine-coast-guard": (NATIONAL, SECURITY),
    "org:pla": (NATIONAL, "mil"), "org:kpa": (NATIONAL, "mil"), "org:idf": (NATIONAL, "mil"),
    "org:irgc": (NATIONAL, "mil"), "org:usfk": (NATIONAL, "mil"), "org:jcs-south-korea": (NATIONAL, "mil"),
}

#: other organisations with topics (everything else: Organization, no topics)
ORG_TOPICS: dict[str, tuple[str, ...]] = {
    "org:cpc": ("pol.party",), "org:wpk": ("pol.party",),
    # armed groups; the two the UN Security Council lists as terrorist organisations say so
    "org:hamas": ("mil",), "org:hezbollah": ("mil",), "org:houthis": ("mil",), "org:hts": ("mil",),
    "org:taliban": ("mil",), "org:wagner-group": ("mil",),
    "org:islamic-state": ("mil", "crime.terror"), "org:al-qaeda": ("mil", "crime.terror"),
    # state-owned companies and state news agencies
    "org:rosoboronexport": ("gov.soe",), "org:rosatom": ("gov.soe",), "org:roscosmos": ("gov.soe",),
    "org:gazprom": ("gov.soe",), "org:rosneft": ("gov.soe",),
    "org:tass": ("gov.soe",), "org:ria-novosti": ("gov.soe",), "org:kcna": ("gov.soe",),
    "org:xinhua": ("gov.soe",), "org:irna": ("gov.soe",), "org:ukrinform": ("gov.soe",),
    "org:anadolu": ("gov.soe",),
}

#: an organisation not listed above is a PublicBody when its name or roles say it is a state body
_STATE_BODY = re.compile(
    r"\b(Ministry|Department|Foreign Office|Office of the (President|Prime Minister)|Parliament|"
    r"parliament|intelligence (agency|service)|security service|[Aa]rmed forces|Coast Guard)\b"
)

# ---------------------------------------------------------------------------
# People: deaths (role topics describe the living) and role patterns
# ---------------------------------------------------------------------------

#: people of actors.toml who have died, with the year: they get deathDate and no role topics
DECEASED: dict[str, str] = {
    "per:kim-il-sung": "1994", "per:kim-jong-il": "2011", "per:qasem-soleimani": "2020",
    "per:shinzo-abe": "2022", "per:li-keqiang": "2023", "per:yevgeny-prigozhin": "2023",
    "per:alexei-navalny": "2024", "per:ebrahim-raisi": "2024", "per:ismail-haniyeh": "2024",
    "per:hassan-nasrallah": "2024", "per:yahya-sinwar": "2024", "per:pope-francis": "2025",
}

#: a national head of state or government: "President of Russia", "Chancellor of Germany"
_HEAD = re.compile(
    r"^(?:Acting )?(?:President|Prime Minister|Premier|Chancellor|King|Queen|Emperor|Emir|Supreme Leader)"
    r" of (?:the )?(?P<place>[^(,;]+?)\s*(?:\(|,|;|$)"
)
#: heads of quasi-states the country table names otherwise
_HEAD_PLACES = {"palestinian authority": "ps"}
#: a political office (FATF's politically exposed persons), national or international
_PEP = re.compile(
    r"\b(President|Prime Minister|Premier|Chancellor|Minister|Secretary|Secretary-General|King|Queen|Emperor|"
    r"Emir|Crown Prince|Crown Princess|Supreme Leader|Pope|Speaker|Chairman|Chairwoman|Chair|Governor|"
    r"Governor-General|Governor General|Ambassador|Permanent Representative|[Ee]nvoy|Adviser|Advisor|"
    r"Director|Director-General|Head of|Chief of|Commander|Commander-in-Chief|Senator|Leader|leader|official|"
    r"High Commissioner|High Representative|Prosecutor|negotiator|aide to the President|press secretary of the President)\b"
)
#: spokespeople are not PEPs by that role (a president's press secretary is: matched first)
_SPOKES = re.compile(r"spokes(?:man|woman|person)", re.IGNORECASE)
_POL = re.compile(r"\b(Party|party|Senator|Speaker|Parliament|State Duma|Federation Council|National Rally|"
                  r"Opposition|National Assembly)\b")
_DIPLO = re.compile(r"\b(Ambassador|Permanent Representative|[Ee]nvoy|negotiator)\b")
_MIL = re.compile(r"\b(General Staff|Armed Forces|Army Staff|Commander|[Mm]ilitary|Quds Force|Air Force)\b")
_SEC = re.compile(r"\b(intelligence|Intelligence|FSB|CIA|Security Council|Security and Defense Council|"
                  r"National Security Advis[eo]r)\b")
_MINISTER = re.compile(r"\b(Minister|Secretary)\b")
_OPEN_RANGE = re.compile(r"\d{4}-(?!\d)")
_YEAR = re.compile(r"\d{4}")
_PARENS = re.compile(r"\(([^)]*)\)")


def is_current(role: str) -> bool:
    """Whether a role was held when the record was written: an open range ("2012-"),
    "as of", or no dates at all; not "Former ...", "(died 2023)", "(2019-2024)"."""
    low = role.lower()
    if low.startswith("former ") or "died" in low or "killed" in low:
        return False
    if "as of" in low:
        return True
    dated = [span for span in _PARENS.findall(role) if _YEAR.search(span)]
    return not dated or any(_OPEN_RANGE.search(span) for span in dated)


def is_pep_role(role: str) -> bool:
    if "press secretary of the President" in role:
        return True
    return not _SPOKES.search(role) and bool(_PEP.search(role))


def head_of(role: str, countries: dict[str, str]) -> str | None:
    """The country a role is the head of state or government of, if it is one."""
    m = _HEAD.match(role)
    if m is None:
        return None
    place = m.group("place").strip().lower()
    return countries.get(place) or _HEAD_PLACES.get(place)


def person_topics(record: dict, countries: dict[str, str]) -> list[str]:
    if record["key"] in DECEASED:
        return []
    roles = record.get("roles", [])
    current = [r for r in roles if is_current(r)]
    topics: list[str] = []
    if any(is_pep_role(r) for r in current):
        topics.append("role.pep")
    elif any(is_pep_role(r) for r in roles):
        topics.append("role.pep.frmr")
    if any(head_of(r, countries) or r.startswith("Pope") for r in current):
        topics.append("gov.head")
    for pattern, topic in ((_POL, "role.pol"), (_DIPLO, "role.diplo"), (_MIL, "mil"), (_SEC, "gov.security")):
        # a defence minister ("Minister of the Armed Forces") is a politician, not the military
        if any(pattern.search(r) and not (topic == "mil" and _MINISTER.search(r)) for r in current):
            topics.append(topic)
    if any(r.startswith("Pope") for r in current):
        topics.append("gov.religion")
    return topics


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_SEPARATORS = " ·・"


def is_acronym(name: str) -> bool:
    """"UN", "U.N.", "DPRK", "ОАЭ": all letters capitals, six at most (as the actor table has it)."""
    letters = [c for c in name if c.isalpha()]
    return 0 < len(letters) <= 6 and all(c.isupper() for c in letters)


def is_bare_surname(name: str, names: Iterable[str]) -> bool:
    """"Putin", "푸틴", "普京": one word that ends another of the person's names
    ("Vladimir Putin", "블라디미르 푸틴", "弗拉基米尔·普京"). "김정은" is a full name."""
    if any(sep in name for sep in _SEPARATORS):
        return False
    # a lower-case first word is a title, not a first name: "император Нарухито" is just the name
    return any(other != name and other.endswith(name) and other[-len(name) - 1] in _SEPARATORS
               and not other[:1].islower() for other in names)


def all_names(record: dict) -> list[str]:
    """The canonical name first, then every alias in file order, without repeats."""
    names = [record["name"]]
    for values in (record.get("aliases") or {}).values():
        names += [v.strip() for v in values]
    return list(dict.fromkeys(n for n in names if n))


# ---------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------

def entity_id(key: str) -> str:
    return "veille-" + key.replace(":", "-")


def put(proxy: EntityProxy, prop: str, values: str | Iterable[str] | None) -> None:
    """Add values, refusing any FtM would drop as invalid for the property."""
    if values is None:
        return
    if isinstance(values, str):
        values = [values]
    ptype = proxy.schema.get(prop).type
    for value in values:
        if ptype.clean(value) is None:
            raise ValueError(f"{proxy.id}: invalid {prop} {value!r}")
        proxy.add(prop, value, quiet=False)


def add_names(proxy: EntityProxy, record: dict, weak: str) -> None:
    names = all_names(record)
    put(proxy, "name", names[0])
    for name in names[1:]:
        if weak == "abbreviation" and is_acronym(name):
            put(proxy, "abbreviation", name)
        elif weak == "weakAlias" and is_acronym(name):
            put(proxy, "weakAlias", name)
        elif proxy.schema.name == "Person" and is_bare_surname(name, names):
            put(proxy, "weakAlias", name)
        else:
            put(proxy, "alias", name)


def country_entity(record: dict) -> EntityProxy:
    proxy = model.make_entity("Territory")
    proxy.id = entity_id(record["key"])
    add_names(proxy, record, weak="weakAlias")
    put(proxy, "country", record["country"])
    put(proxy, "territoryCode", record["country"])
    put(proxy, "wikidataId", record.get("kb_id"))
    return proxy


def person_entity(record: dict, countries: dict[str, str]) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = entity_id(record["key"])
    add_names(proxy, record, weak="weakAlias")
    put(proxy, "wikidataId", record.get("kb_id"))
    put(proxy, "country", record.get("country"))
    put(proxy, "nationality", record.get("country"))
    put(proxy, "position", record.get("roles", []))
    put(proxy, "topics", person_topics(record, countries))
    put(proxy, "deathDate", DECEASED.get(record["key"]))
    if "roles" in record.get("uncertain", []):
        put(proxy, "notes", UNCERTAIN_ROLES_NOTE)
    return proxy


def org_entity(record: dict) -> EntityProxy:
    key = record["key"]
    text = " ".join([record["name"], *record.get("roles", [])])
    if key in IGOS:
        schema, topics = "Organization", (IGO, *IGOS[key])
    elif key in PUBLIC_BODIES:
        schema, topics = "PublicBody", PUBLIC_BODIES[key]
    elif key in ORG_TOPICS:
        schema, topics = "Organization", ORG_TOPICS[key]
    elif record.get("country") and _STATE_BODY.search(text):
        schema, topics = "PublicBody", (NATIONAL,)
    else:
        schema, topics = "Organization", ()
    proxy = model.make_entity(schema)
    proxy.id = entity_id(key)
    add_names(proxy, record, weak="abbreviation")
    put(proxy, "wikidataId", record.get("kb_id"))
    put(proxy, "country", record.get("country"))
    put(proxy, "description", record.get("roles", []))
    put(proxy, "topics", topics)
    return proxy


def to_json(proxy: EntityProxy) -> dict:
    data = proxy.to_dict()
    return {
        "id": data["id"],
        "schema": data["schema"],
        "caption": proxy.caption,
        "properties": {prop: data["properties"][prop] for prop in sorted(data["properties"])},
        "datasets": [DATASET],
        "referents": [],
        "first_seen": DATA_DATE,
        "last_seen": DATA_DATE,
        "last_change": DATA_DATE,
        "target": False,
    }


# ---------------------------------------------------------------------------

def load_records() -> tuple[list[dict], list[dict]]:
    countries = json.loads((ACTORS / "countries.json").read_text(encoding="utf-8"))
    actors: list[dict] = []
    for path in SOURCES:
        with path.open("rb") as handle:
            actors += tomllib.load(handle).get("actor", [])
    return countries, actors


def country_names(countries: list[dict]) -> dict[str, str]:
    """English country name (lower case) -> ISO code, for "President of <country>"."""
    names: dict[str, str] = {}
    for record in countries:
        for name in [record["name"], *record["aliases"].get("en", [])]:
            names.setdefault(name.lower(), record["country"])
    return names


def build() -> list[EntityProxy]:
    countries, actors = load_records()
    names = country_names(countries)
    entities = [country_entity(r) for r in countries]
    for record in actors:
        if record["type"] == "PER":
            entities.append(person_entity(record, names))
        elif record["type"] == "ORG":
            entities.append(org_entity(record))
        # GPE, LOC, FAC: places, not actors
    ids = [e.id for e in entities]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate entity ids: {dupes}")
    return sorted(entities, key=lambda e: e.id)


def write(entities: list[EntityProxy], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(to_json(e), ensure_ascii=False) for e in entities]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    entities = build()
    write(entities, args.output)
    counts: dict[str, int] = {}
    for e in entities:
        counts[e.schema.name] = counts.get(e.schema.name, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"wrote {len(entities)} entities ({summary}) to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
