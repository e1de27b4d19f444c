"""Validate the bundled actor table: veille/data/actors/{countries.json,actors.toml}.

Self-contained on purpose: reads the files with json/tomllib and does not
import other Veille modules.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "veille" / "data" / "actors"
TYPES = {"PER", "ORG", "GPE", "LOC", "FAC"}
KEY = re.compile(r"^(country|org|per|city|loc|fac):[a-z0-9]+(?:-[a-z0-9]+)*$")
QID = re.compile(r"^Q\d+$")
LANG = re.compile(r"^[a-z]{2}$")
FIELDS = {"key", "name", "type", "kb_id", "country", "capital", "roles", "aliases", "anaphoric"}

# Normalised aliases allowed to name two actors, with the reason. Keep short:
# every entry is a mention the linker cannot resolve from the name alone.
AMBIGUOUS: dict[str, str] = {}


def normalise(text: str) -> str:
    """Casefold, strip accents, unify apostrophes, collapse spaces and hyphens."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Drop combining accents, but keep the kana voicing marks (ガ is not カ).
    kept = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) or ch in "\u3099\u309a"
    )
    text = unicodedata.normalize("NFC", kept).casefold()
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    return re.sub(r"[\s\-‐‑–]+", " ", text).strip()


def load_countries() -> list[dict]:
    return json.loads((DATA / "countries.json").read_text(encoding="utf-8"))


def load_actors() -> list[dict]:
    with (DATA / "actors.toml").open("rb") as handle:
        table = tomllib.load(handle)
    assert set(table) == {"actor"}, "actors.toml holds only [[actor]] tables"
    return table["actor"]


COUNTRIES = load_countries()
ACTORS = load_actors()
RECORDS = COUNTRIES + ACTORS
BY_KEY = {rec["key"]: rec for rec in RECORDS}


def alias_set(rec: dict) -> set[str]:
    return {normalise(a) for names in rec["aliases"].values() for a in names}


def find(name: str) -> dict:
    matches = [rec for rec in RECORDS if rec["name"] == name]
    assert len(matches) == 1, f"expected one actor named {name!r}, found {len(matches)}"
    return matches[0]


# --------------------------------------------------------------------------
# Shape


@pytest.mark.parametrize("rec", RECORDS, ids=lambda rec: rec.get("key", "?"))
def test_record_shape(rec: dict) -> None:
    assert set(rec) <= FIELDS, f"unknown fields {set(rec) - FIELDS}"
    assert isinstance(rec.get("key"), str) and KEY.match(rec["key"]), rec.get("key")
    assert isinstance(rec.get("name"), str) and rec["name"] == rec["name"].strip() and rec["name"]
    assert rec.get("type") in TYPES
    if "kb_id" in rec:
        assert isinstance(rec["kb_id"], str) and QID.match(rec["kb_id"])
    if "country" in rec:
        assert isinstance(rec["country"], str) and re.fullmatch(r"[a-z]{2}", rec["country"])
        assert f"country:{rec['country']}" in BY_KEY, f"unknown country {rec['country']}"
    if "capital" in rec:
        assert rec["key"].startswith("country:") and isinstance(rec["capital"], str)
    if "roles" in rec:
        assert isinstance(rec["roles"], list) and rec["roles"]
        assert all(isinstance(r, str) and r.strip() == r and r for r in rec["roles"])
        assert not any("?" in r for r in rec["roles"])
    for field in ("aliases", "anaphoric"):
        if field not in rec:
            continue
        table = rec[field]
        assert isinstance(table, dict) and table
        for lang, names in table.items():
            assert LANG.match(lang), f"{field}: bad language code {lang!r}"
            assert isinstance(names, list) and names, f"{field}.{lang} is empty"
            for name in names:
                assert isinstance(name, str) and name == name.strip() and name, (field, lang, name)
                assert "?" not in name
    assert rec["name"] in rec["aliases"].get("en", []), "aliases.en must contain the canonical name"
    assert rec["aliases"].get("fr"), "every actor needs French aliases"


def test_keys_unique() -> None:
    counts = Counter(rec["key"] for rec in RECORDS)
    assert [key for key, n in counts.items() if n > 1] == []


def test_kb_ids_unique() -> None:
    counts = Counter(rec["kb_id"] for rec in RECORDS if "kb_id" in rec)
    assert [qid for qid, n in counts.items() if n > 1] == []


def test_countries_only_in_countries_json() -> None:
    for rec in COUNTRIES:
        assert rec["key"] == f"country:{rec['country']}"
        assert rec["type"] == "GPE"
    assert not [rec["key"] for rec in ACTORS if rec["key"].startswith("country:")]


def test_key_prefix_matches_type() -> None:
    expected = {"per": {"PER"}, "org": {"ORG"}, "city": {"GPE"}, "loc": {"LOC"}, "fac": {"FAC"}}
    for rec in ACTORS:
        assert rec["type"] in expected[rec["key"].split(":")[0]], rec["key"]


def test_countries_sorted() -> None:
    keys = [rec["key"] for rec in COUNTRIES]
    assert keys == sorted(keys)


# --------------------------------------------------------------------------
# Aliases


def test_no_alias_names_two_actors() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for rec in RECORDS:
        for alias in alias_set(rec):
            owners[alias].add(rec["key"])
    clashes = {
        alias: sorted(keys) for alias, keys in owners.items() if len(keys) > 1 and alias not in AMBIGUOUS
    }
    assert clashes == {}


def test_ambiguous_list_is_current() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for rec in RECORDS:
        for alias in alias_set(rec):
            owners[alias].add(rec["key"])
    assert [alias for alias in AMBIGUOUS if len(owners.get(alias, ())) < 2] == []


def test_anaphoric_forms_are_not_other_actors_aliases() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for rec in RECORDS:
        for alias in alias_set(rec):
            owners[alias].add(rec["key"])
    bad = []
    for rec in RECORDS:
        for names in rec.get("anaphoric", {}).values():
            for name in names:
                others = owners.get(normalise(name), set()) - {rec["key"]}
                if others:
                    bad.append((rec["key"], name, sorted(others)))
    assert bad == []


def test_normalise() -> None:
    assert normalise("Conseil de sécurité de l’ONU") == normalise("Conseil de sécurité de l'ONU")
    assert normalise("Kim Jong-un") == normalise("Kim  Jong Un")
    assert normalise("Erdoğan") == "erdogan"
    assert normalise("북한") == "북한"


# --------------------------------------------------------------------------
# Required actors

REQUIRED = {
    "Vladimir Putin": ["Putin", "Poutine", "Путин"],
    "Kim Jong Un": ["Kim Jong-un", "김정은"],
    "Antony Blinken": ["Blinken"],
    "Jens Stoltenberg": ["Stoltenberg"],
    "Sergey Lavrov": ["Sergueï Lavrov", "Sergei Lavrov", "Lavrov"],
    "Andrei Belousov": ["Andrei Belousov"],
    "Denis Manturov": ["Denis Manturov"],
    "Yuri Ushakov": ["Yuri Ouchakov", "Iouri Ouchakov"],
    "North Korea": ["Corée du Nord", "Nordkorea", "Северная Корея", "북한", "DPRK"],
    "South Korea": ["Corée du Sud", "한국"],
    "Russia": ["Russie", "Россия"],
    "United States": ["États-Unis", "USA"],
    "China": ["Chine"],
    "Iran": ["Iran"],
    "Japan": ["Japon"],
    "Ukraine": ["Ukraine"],
    "NATO": ["OTAN"],
    "United Nations": ["ONU", "Nations Unies"],
    "United Nations Security Council": ["Conseil de sécurité de l'ONU", "Conseil de sécurité de l’ONU"],
    "Institute for National Security Strategy": ["INSS", "국가안보전략연구원"],
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_required_actor(name: str) -> None:
    rec = find(name)
    aliases = alias_set(rec)
    missing = [alias for alias in REQUIRED[name] if normalise(alias) not in aliases]
    assert missing == []


def test_required_types_and_ids() -> None:
    assert find("Vladimir Putin")["type"] == "PER"
    assert find("Vladimir Putin")["kb_id"] == "Q7747"
    assert find("North Korea")["kb_id"] == "Q423"
    assert find("South Korea")["kb_id"] == "Q884"
    assert find("NATO")["type"] == "ORG"
    assert find("United Nations Security Council")["kb_id"] == "Q37470"
    assert BY_KEY["org:kremlin"]["type"] == "ORG"
    assert BY_KEY["country:kp"]["name"] == "North Korea"
    assert "the North" in BY_KEY["country:kp"]["anaphoric"]["en"]
    assert "Conseil de sécurité" in BY_KEY["org:unsc"]["anaphoric"]["fr"]


def test_counts() -> None:
    types = Counter(rec["type"] for rec in ACTORS)
    assert len(COUNTRIES) >= 240
    assert types["ORG"] >= 50
    assert types["PER"] >= 100
    assert types["GPE"] + types["LOC"] >= 60
