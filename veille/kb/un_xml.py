"""Read the UN Security Council consolidated sanctions list in the UN's own XML format.

The list (https://scsanctions.un.org/resources/xml/en/consolidated.xml) has
``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY`` records. Each becomes an FtM ``Person``
or ``Organization`` dict with the id ``un-sc-<REFERENCE_NUMBER>`` (stable across
releases), the topic ``sanction``, the dataset ``un_sc_sanctions`` and the programme
(``UN_LIST_TYPE``: "DPRK", "Al-Qaida"...):

* names: FIRST_NAME to FOURTH_NAME joined; NAME_ORIGINAL_SCRIPT as an alias; aliases of
  quality "Good" or "a.k.a." as ``alias``, "Low" as ``weakAlias``, "f.k.a." as
  ``previousName``;
* nationalities, address and birth countries mapped to ISO codes through the English
  country names and demonyms Veille knows (``veille/data/actors/countries.json``,
  ``veille/languages/en/demonyms.toml``): "Iran (Islamic Republic of)" → ir, "Algerian" → dz;
* birth dates (exact, year, or a range of years), birth place, addresses, passports and
  other documents, titles, designations, gender, listing date and comments.

The file is parsed with lxml ``iterparse``: one record in memory at a time.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from veille.errors import InputError
from veille.kb import CleanEntity, InvalidLine
from veille.kb.ftm import open_input

__all__ = ["DATASET", "country_codes", "read_un_xml"]

#: the dataset name of the entities read from the UN list
DATASET = "un_sc_sanctions"
_PACKAGE = Path(__file__).resolve().parent.parent
_ALIAS_PROPS = {"good": "alias", "a.k.a.": "alias", "aka": "alias", "": "alias", "low": "weakAlias",
                "f.k.a.": "previousName", "fka": "previousName"}
# names the UN uses that countries.json does not have
_EXTRA_COUNTRIES = {
    "libyan arab jamahiriya": "ly", "palestinian territories": "ps", "palestinian": "ps",
    "occupied palestinian territory": "ps", "hong kong special administrative region": "hk",
    "viet nam": "vn", "sultanate of oman": "om", "union of the comoros": "km", "british virgin islands": "vg",
    "democratic people s republic of korea": "kp", "republic of korea": "kr",
    "united kingdom of great britain and northern ireland": "gb", "united states of america": "us",
    "russian federation": "ru", "syrian arab republic": "sy", "iran islamic republic of": "ir",
    "united republic of tanzania": "tz", "democratic republic of the congo": "cd", "lao people s democratic republic": "la",
    "bolivia plurinational state of": "bo", "venezuela bolivarian republic of": "ve", "republic of moldova": "md",
    "the former yugoslav republic of macedonia": "mk", "turkiye": "tr", "cote d ivoire": "ci",
}


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Côte d'Ivoire" → "cote d ivoire"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _country_index() -> tuple[dict[str, str], re.Pattern[str]]:
    """Folded English country names, aliases and demonyms → ISO code; and a pattern finding them in text."""
    index: dict[str, str] = {}
    with (_PACKAGE / "data" / "actors" / "countries.json").open(encoding="utf-8") as f:
        for country in json.load(f):
            code = country.get("country")
            if not code:
                continue
            for name in [country.get("name") or "", *country.get("aliases", {}).get("en", [])]:
                if len(_fold(name)) > 2:  # not "US", "UK": too ambiguous inside text
                    index.setdefault(_fold(name), code)
    demonyms = _PACKAGE / "languages" / "en" / "demonyms.toml"
    if demonyms.exists():
        with demonyms.open("rb") as f:
            for code, forms in tomllib.load(f).get("demonyms", {}).items():
                for form in forms:
                    index.setdefault(_fold(form), code)
    index.update(_EXTRA_COUNTRIES)
    alternatives = "|".join(re.escape(name) for name in sorted(index, key=len, reverse=True))
    return index, re.compile(rf"\b(?:{alternatives})\b")


def country_codes(text: str | None) -> list[str]:
    """ISO 3166-1 alpha-2 codes (lower case) of the countries a UN country text names.

    "Iran (Islamic Republic of)" → ["ir"]; "United States. Also believed to hold Syrian
    nationality" → ["us", "sy"]; "Sudan/South Sudan" → ["sd", "ss"]; unknown → [].
    """
    folded = _fold(text or "")
    if not folded:
        return []
    index, pattern = _country_index()
    if folded in index:
        return [index[folded]]
    bare = _fold(re.sub(r"\([^)]*\)", " ", text or ""))
    if bare in index:
        return [index[bare]]
    return list(dict.fromkeys(index[m] for m in pattern.findall(folded)))


def read_un_xml(path: str | Path, on_invalid: Callable[[InvalidLine], None] | None = None) -> Iterator[CleanEntity]:
    """The individuals and entities of a UN consolidated list XML file, as FtM dicts.

    A record without any name or reference is reported to ``on_invalid`` (with its line)
    and skipped. Raises ``InputError`` when the file is not well-formed XML (the records
    before the error have been yielded).
    """
    from followthemoney import model
    from followthemoney.exc import FollowTheMoneyException

    source = str(path)
    with open_input(path) as f:
        parser = etree.iterparse(f, events=("end",), tag=("INDIVIDUAL", "ENTITY"), resolve_entities=False,
                                 no_network=True, huge_tree=True, remove_comments=True)
        try:
            for _, elem in parser:
                line = elem.sourceline or 0
                data = _record(elem)
                elem.clear()
                while elem.getprevious() is not None:  # drop the records already read
                    del elem.getparent()[0]
                if isinstance(data, str):
                    if on_invalid is not None:
                        on_invalid(InvalidLine(source, line, data))
                    continue
                try:
                    proxy = model.get_proxy(data, cleaned=False)
                except (FollowTheMoneyException, TypeError, ValueError) as exc:
                    if on_invalid is not None:
                        on_invalid(InvalidLine(source, line, f"{data['id']}: {exc}"))
                    continue
                data["properties"] = proxy.properties
                yield CleanEntity(data)
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{path}: not well-formed XML ({exc.msg}); is it the UN consolidated list?") from exc


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _find(elem: Any, path: str) -> list[str]:
    return [t for t in (_text(e.text) for e in elem.iterfind(path)) if t]


def _first(elem: Any, path: str) -> str:
    return next(iter(_find(elem, path)), "")


def _record(elem: Any) -> dict[str, Any] | str:
    """One INDIVIDUAL or ENTITY as an FtM dict, or why it cannot be one."""
    person = elem.tag == "INDIVIDUAL"
    reference = _first(elem, "REFERENCE_NUMBER")
    data_id = _first(elem, "DATAID")
    parts = [_first(elem, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(p for p in parts if p)
    if not reference and not data_id:
        return f"{elem.tag} {name or '(no name)'}: no REFERENCE_NUMBER nor DATAID"
    entity_id = f"un-sc-{reference}" if reference else f"un-sc-dataid-{data_id}"
    props: dict[str, list[str]] = {}

    def add(prop: str, *values: str) -> None:
        for value in values:
            value = _text(value)
            if value and value not in props.setdefault(prop, []):
                props[prop].append(value)

    add("name", name)
    add("alias", *_find(elem, "NAME_ORIGINAL_SCRIPT"))
    for alias in elem.iterfind("INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"):
        alias_name = _first(alias, "ALIAS_NAME")
        quality = _first(alias, "QUALITY").lower()
        add(_ALIAS_PROPS.get(quality, "alias"), alias_name)
    if not props.get("name"):
        if not any(props.values()):
            return f"{entity_id}: no name"
        # an alias stands in for the missing name
        props["name"] = [next(v[0] for v in props.values() if v)]
    add("program", _first(elem, "UN_LIST_TYPE"))
    add("notes", *_find(elem, "COMMENTS1"))
    add("createdAt", _first(elem, "LISTED_ON")[:10])
    if reference:
        add("programId", reference)
    for address in elem.iterfind("INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS"):
        fields = [_first(address, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        add("address", ", ".join(f for f in fields if f))
        add("country", *country_codes(_first(address, "COUNTRY")))
    if person:
        add("firstName", parts[0])
        add("title", *_find(elem, "TITLE/VALUE"))
        add("position", *_find(elem, "DESIGNATION/VALUE"))
        for nationality in _find(elem, "NATIONALITY/VALUE"):
            add("nationality", *country_codes(nationality))
        gender = _first(elem, "GENDER").lower()
        if gender in ("male", "female"):
            add("gender", gender)
        for birth in elem.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
            add("birthDate", _first(birth, "DATE")[:10], _first(birth, "YEAR"), _first(birth, "FROM_YEAR"),
                _first(birth, "TO_YEAR"))
        for place in elem.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
            fields = [_first(place, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")]
            add("birthPlace", ", ".join(f for f in fields if f))
            add("birthCountry", *country_codes(_first(place, "COUNTRY")))
        for document in elem.iterfind("INDIVIDUAL_DOCUMENT"):
            number = _first(document, "NUMBER")
            kind = _first(document, "TYPE_OF_DOCUMENT").lower()
            add("passportNumber" if "passport" in kind else "idNumber", number)
    return {"id": entity_id, "schema": "Person" if person else "Organization", "caption": name or props["name"][0],
            "properties": {**props, "topics": ["sanction"]}, "datasets": [DATASET]}
