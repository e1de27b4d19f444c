"""Demonym data: every languages/<code>/demonyms.toml maps clean forms to known countries and blocs."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from veille.text import key

ROOT = Path(__file__).resolve().parent.parent / "veille"
LANGUAGES = ROOT / "languages"
FILES = sorted(LANGUAGES.glob("*/demonyms.toml"))
COUNTRIES = {c["country"] for c in json.loads((ROOT / "data/actors/countries.json").read_text(encoding="utf-8"))}
with (ROOT / "data/actors/actors.toml").open("rb") as f:
    ACTORS = {a["key"] for a in tomllib.load(f)["actor"]}


def _load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _lookup(code: str) -> dict[str, str]:
    """Form → country code or bloc key, as written in the file."""
    data = _load(LANGUAGES / code / "demonyms.toml")
    out = {form: iso for iso, forms in data["demonyms"].items() for form in forms}
    out.update({form: bloc for bloc, forms in data.get("blocs", {}).items() for form in forms})
    return out


def test_the_main_languages_have_demonyms():
    assert {"en", "fr", "de", "es", "ru"} <= {p.parent.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_demonym_file_is_well_formed(path):
    data = _load(path)
    assert set(data) <= {"demonyms", "blocs"} and data.get("demonyms")
    for iso in data["demonyms"]:
        assert iso == iso.lower() and iso in COUNTRIES, f"{path}: {iso!r} is not a country of countries.json"
    for bloc in data.get("blocs", {}):
        assert bloc in ACTORS, f"{path}: {bloc!r} is not an actor key of actors.toml"
    owner: dict[str, str] = {}
    for table in ("demonyms", "blocs"):
        for target, forms in data.get(table, {}).items():
            assert isinstance(forms, list) and forms, f"{path}: {target} has no forms"
            assert len(forms) == len(set(forms)), f"{path}: {target} lists a form twice"
            for form in forms:
                assert isinstance(form, str) and form == form.strip() and form == form.lower() and form, \
                    f"{path}: {target}: {form!r} is not lower case and stripped"
                # compared as the extractor compares them: folded, accents and hyphens dropped
                folded = key(form)
                assert owner.setdefault(folded, target) == target, \
                    f"{path}: {form!r} maps to both {owner[folded]} and {target}"


@pytest.mark.parametrize("code,form,target", [
    ("fr", "sud-coréens", "kr"), ("fr", "américaines", "us"), ("fr", "nord-coréenne", "kp"),
    ("fr", "russe", "ru"), ("fr", "britannique", "gb"), ("fr", "européenne", "org:eu"),
    ("en", "north korean", "kp"), ("en", "south koreans", "kr"), ("en", "dutch", "nl"),
    ("en", "russians", "ru"), ("en", "european", "org:eu"),
    ("de", "russischen", "ru"), ("de", "nordkoreanische", "kp"), ("de", "amerikanerin", "us"),
    ("de", "französinnen", "fr"), ("de", "europäischen", "org:eu"),
    ("es", "norcoreana", "kp"), ("es", "surcoreano", "kr"), ("es", "estadounidenses", "us"),
    ("es", "alemanas", "de"), ("es", "europeos", "org:eu"),
    ("ru", "американские", "us"), ("ru", "российского", "ru"), ("ru", "северокорейскими", "kp"),
    ("ru", "южнокорейской", "kr"), ("ru", "россияне", "ru"), ("ru", "натовские", "org:nato"),
])
def test_spot_checks(code, form, target):
    assert _lookup(code).get(form) == target


@pytest.mark.parametrize("code,form", [
    ("en", "korean"), ("en", "european union"), ("en", "western"), ("en", "u.s."), ("en", "soviet"),
    ("fr", "coréen"), ("fr", "occidental"), ("fr", "soviétique"),
    ("de", "koreanisch"), ("es", "coreano"), ("es", "americano"), ("ru", "корейский"), ("ru", "советский"),
])
def test_ambiguous_forms_are_left_out(code, form):
    assert form not in _lookup(code)
