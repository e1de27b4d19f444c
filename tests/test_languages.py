"""Language knowledge is data: every folder parses, uses known keys, and is what the code reads."""

from __future__ import annotations

import tomllib

import pytest

from veille import languages
from veille.language import detect

FILES = {
    "language.toml": {"name", "spacy_models", "blank_tokenizer"},
    "cleaning.toml": {"comment_form_start", "numbers", "byline_prefixes", "byline_suffixes", "date_prefixes",
                      "caption_credits", "author_conjunctions", "name_particles", "comment_form", "share", "cookie", "subscribe", "nav", "related", "other"},
    "quotes.toml": {"marks", "reporting_verbs", "passive_speaker_verbs", "source_phrases", "not_after_source",
                    "speaker_nouns", "pronouns", "civilities", "definite_determiners", "complementizers",
                    "sentence_initial_sources"},
    "actors.toml": {"strip_prefixes", "not_actors"},
    "demonyms.toml": {"demonyms", "blocs"},
    "events.toml": {"verbs", "nouns", "nominal", "modality", "modes", "places", "dates", "roles", "prepositions",
                    "grammar"},
}
SECTION_KEYS = {"exact", "prefix", "contains"}


@pytest.mark.parametrize("code", languages.available())
def test_language_folder_is_well_formed(code):
    folder = languages.HERE / code
    assert (folder / "language.toml").exists()
    for path in folder.iterdir():
        assert path.name in FILES, f"unknown data file {path}"
        with path.open("rb") as f:
            data = tomllib.load(f)
        assert set(data) <= FILES[path.name], f"{path}: unknown keys {set(data) - FILES[path.name]}"
        for name, value in data.items():
            if isinstance(value, dict) and path.name == "cleaning.toml":
                assert set(value) <= SECTION_KEYS, f"{path} [{name}]: {set(value) - SECTION_KEYS}"


def test_main_languages_are_covered():
    assert {"en", "fr", "de", "es", "ru", "ko"} <= set(languages.available())
    for code in ("en", "fr"):
        data = languages.get(code)
        assert data.spacy_models and data.quotes["reporting_verbs"] and data.cleaning["cookie"]


def test_unknown_language_gets_defaults():
    data = languages.get("sw")
    assert data.code == "sw" and data.spacy_models == () and data.marks == languages.DEFAULT_MARKS


@pytest.mark.parametrize("text,code", [
    ("The foreign minister said the talks in Seoul would continue next week despite the sanctions.", "en"),
    ("Le ministre des Affaires étrangères a déclaré que les discussions reprendraient la semaine prochaine.", "fr"),
    ("Der Außenminister sagte, die Gespräche würden in der kommenden Woche fortgesetzt.", "de"),
    ("El ministro de Asuntos Exteriores dijo que las conversaciones continuarían la próxima semana.", "es"),
    ("Министр иностранных дел заявил, что переговоры продолжатся на следующей неделе.", "ru"),
    ("외교부 장관은 다음 주에 회담이 계속될 것이라고 말했다.", "ko"),
])
def test_detects_the_languages_of_the_news(text, code):
    assert detect(text)[0] == code


def test_a_foreign_block_is_flagged_not_dropped(pipeline):
    text = ("Macron meets Scholz in Paris\n\nFrench President Emmanuel Macron met German Chancellor Olaf Scholz "
            "in Paris on Tuesday to discuss support for Ukraine and European defence spending.\n\n"
            "« Nous devons agir ensemble et vite pour soutenir l'Ukraine face à l'agression russe », "
            "a déclaré le président français devant les journalistes réunis à l'Élysée.\n\n"
            "The two leaders also discussed trade and the upcoming summit of the European Union in Brussels.")
    rec = pipeline.analyze(text)
    assert rec["language"] == "en"
    assert "Nous devons agir ensemble" in rec["text"]
    mixed = [w for w in rec["warnings"] if w["kind"] == "mixed_language"]
    assert len(mixed) == 1 and rec["text"][mixed[0]["start"]:mixed[0]["end"]].startswith("« Nous devons")
