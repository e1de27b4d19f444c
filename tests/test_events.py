"""The events stage: PLOVER events with actors, modality, attribution, date, place and evidence.

Sentence tests check one mechanism each, in French and English; the article tests hold
the canonical example and the hand-made articles of ``tests/events/`` to their floors
(``tests/events/floors.json``), and the sentences those articles mark as holding no event
must hold none.
"""

from __future__ import annotations

import json
from pathlib import Path

import eventcheck
import pytest

from veille import Pipeline
from veille.document import RawDocument, Source
from veille.errors import ConfigError
from veille.event_lexicon import CAMEO_ROOTS, PLOVER_TYPES, EventLexicon, _entry
from veille.events import event_line

EVENTS = Path(__file__).resolve().parent / "events"
GOLD = sorted(EVENTS.glob("*.events.json"))
FLOORS = json.loads((EVENTS / "floors.json").read_text())
SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "examples" / "pyongyang-summit-fr.gold.json"


def analyse(pipeline: Pipeline, text: str, published: str | None = None) -> dict:
    return pipeline.analyze(RawDocument(Source("test"), text, published=published))


def events(rec: dict) -> list[dict]:
    """The record's events with actor names in place of ids."""
    names = {e["id"]: e["name"] for e in rec["entities"]}
    out = []
    for ev in rec["events"]:
        out.append(dict(ev, source=[names[i] for i in ev["source"]], target=[names[i] for i in ev["target"]],
                        attributed_to=[names[i] for i in ev["attributed_to"]],
                        denied_by=[names[i] for i in ev["denied_by"]],
                        location=names.get(ev["location"]) if ev["location"] else None))
    return out


def find(rec: dict, type_: str, source: str, target: str) -> dict:
    """The one event of ``type_`` from ``source`` to ``target`` (either way for a symmetric event)."""
    found = [e for e in events(rec) if e["type"] == type_ and (
        (source in e["source"] and target in e["target"])
        or (e["symmetric"] and target in e["source"] and source in e["target"]))]
    assert found, f"no {type_} {source} → {target} in {[(e['type'], e['source'], e['target']) for e in events(rec)]}"
    return found[0]


# -- verbs, their actors and their voice ------------------------------------------------
@pytest.mark.parametrize("text", [
    "Le président russe Vladimir Poutine et le dirigeant nord-coréen Kim Jong Un se sont rencontrés "
    "mercredi à Pyongyang.",
    "Russian President Vladimir Putin and North Korean leader Kim Jong Un met in Pyongyang on Wednesday.",
])
def test_a_reciprocal_meeting_of_coordinated_subjects(pipeline, text):
    rec = analyse(pipeline, text, published="2024-06-20")
    ev = find(rec, "CONSULT", "Vladimir Putin", "Kim Jong Un")
    assert ev["modality"] == "asserted" and ev["symmetric"]
    assert ev["location"] == "Pyongyang"
    assert ev["date"] == "2024-06-19" and ev["date_text"] in ("mercredi", "Wednesday")
    assert ev["sentence"] == rec["text"][ev["start"]:ev["end"]] == text
    assert ev["cameo"] == "04"


@pytest.mark.parametrize("text", ["Poutine a été accueilli par Kim Jong Un à l'aéroport.",
                                  "Vladimir Putin was received by Kim Jong Un at the airport."])
def test_a_passive_puts_the_agent_first(pipeline, text):
    ev = find(analyse(pipeline, text), "CONSULT", "Kim Jong Un", "Vladimir Putin")
    assert ev["source"] == ["Kim Jong Un"] and ev["target"] == ["Vladimir Putin"]


def test_a_coordinated_verb_shares_the_subject_not_the_object(pipeline):
    rec = analyse(pipeline, "Ukrainian President Volodymyr Zelensky accused Pyongyang of prolonging the war "
                            "and urged South Korea to send air-defence systems to Kyiv.")
    assert find(rec, "REQUEST", "Volodymyr Zelensky", "South Korea")["source"] == ["Volodymyr Zelensky"]
    assert find(rec, "ACCUSE", "Volodymyr Zelensky", "North Korea")


# -- actors by adjective, capital and place ------------------------------------------------
@pytest.mark.parametrize("text,source,target", [
    ("Les responsables américains ont condamné la Corée du Nord.", "United States", "North Korea"),
    ("Pékin a critiqué Washington pour ses ventes d'armes.", "China", "United States"),
    ("Moscow condemned the Lithuanian government.", "Russia", "Lithuania"),
])
def test_adjectives_and_capitals_stand_for_countries(pipeline, text, source, target):
    ev = find(analyse(pipeline, text), "ACCUSE", source, target)
    assert ev["source"][0] == source


def test_a_country_named_only_by_an_adjective_is_an_entity_with_a_place(pipeline):
    rec = analyse(pipeline, "Les responsables américains ont condamné la Corée du Nord.")
    us = next(e for e in rec["entities"] if e["name"] == "United States")
    assert us["mentions"] == [] and us["kb_id"] == "Q30"
    assert us["place"]["country_code"] == "US" and us["place"]["feature"] == "country"


def test_a_place_attacked_stands_for_its_country_and_is_where(pipeline):
    rec = analyse(pipeline, "Russian drones struck an apartment block in Kharkiv on Tuesday.")
    ev = find(rec, "ASSAULT", "Russia", "Ukraine")
    assert ev["location"] == "Kharkiv" and ev["mode"] == "military"


def test_a_state_body_acts_for_its_state(pipeline):
    rec = analyse(pipeline, "The Chinese Foreign Ministry accused the United States of stoking tensions.")
    ev = find(rec, "ACCUSE", "China", "United States")
    assert len(ev["source"]) == 2  # the ministry, then its state


# -- nominal events ---------------------------------------------------------------------------
@pytest.mark.parametrize("text,type_,source,target", [
    ("En mars, le veto russe aux Nations Unies a mis fin à la mission.", "REJECT", "Russia", "United Nations"),
    ("La Corée du Nord est soumise à de strictes sanctions du Conseil de sécurité de l'ONU.", "SANCTION",
     "United Nations Security Council", "North Korea"),
    ("Blinken a parlé aux journalistes après une réunion avec le chef de l'OTAN, Jens Stoltenberg.", "CONSULT",
     "Antony Blinken", "Jens Stoltenberg"),
    ("Kim Jong Un pledged his full support for Russia's war.", "SUPPORT", "Kim Jong Un", "Russia"),
])
def test_event_nouns_take_actors_from_adjectives_phrases_and_their_verb(pipeline, text, type_, source, target):
    assert find(analyse(pipeline, text), type_, source, target)


def test_a_light_verb_and_its_event_noun_make_one_event(pipeline):
    rec = analyse(pipeline, "Moscow imposed new sanctions on Lithuania.")
    sanctions = [e for e in events(rec) if e["type"] == "SANCTION"]
    assert len(sanctions) == 1 and sanctions[0]["source"] == ["Russia"] and sanctions[0]["target"] == ["Lithuania"]


# -- modality and attribution ---------------------------------------------------------------
@pytest.mark.parametrize("text,type_,source,target,modality", [
    ("La Russie pourrait aider la Corée du Nord avec des technologies spatiales.", "AID", "Russia", "North Korea",
     "possible"),
    ("Russia could help North Korea with satellite technology.", "AID", "Russia", "North Korea", "possible"),
    ("Selon Séoul, la Corée du Nord aurait livré des obus à la Russie.", "AID", "North Korea", "Russia", "alleged"),
    ("Le dirigeant nord-coréen Kim Jong Un a promis mercredi son plein soutien à la Russie.", "SUPPORT",
     "Kim Jong Un", "Russia", "pledged"),
    ("La France livrera des canons à l'Ukraine.", "AID", "France", "Ukraine", "planned"),
    ("Japan will send humanitarian aid to Ukraine next week.", "AID", "Japan", "Ukraine", "planned"),
    ("La Chine n'a pas condamné la Russie.", "ACCUSE", "China", "Russia", "negated"),
    ("China did not condemn Russia.", "ACCUSE", "China", "Russia", "negated"),
    ("Le président russe Vladimir Poutine a déclaré que la Russie et la Corée du Nord signeraient des accords.",
     "AGREE", "Russia", "North Korea", "planned"),
])
def test_modality(pipeline, text, type_, source, target, modality):
    assert find(analyse(pipeline, text), type_, source, target)["modality"] == modality


@pytest.mark.parametrize("accusation,denial", [
    ("Les responsables américains et sud-coréens accusent la Corée du Nord de fournir des armes à la Russie.",
     "Tous deux nient les accusations."),
    ("The United States and South Korea accuse North Korea of shipping artillery shells to Russia.",
     "Both deny the accusations."),
])
def test_an_accusation_and_its_denial(pipeline, accusation, denial):
    rec = analyse(pipeline, f"{accusation} {denial}")
    accuse = find(rec, "ACCUSE", "United States", "North Korea")
    assert accuse["modality"] == "asserted" and accuse["source"] == ["United States", "South Korea"]
    act = find(rec, "AID", "North Korea", "Russia")
    assert act["modality"] == "alleged"
    assert act["attributed_to"] == ["United States", "South Korea"]
    assert set(act["denied_by"]) == {"North Korea", "Russia"}
    reject = find(rec, "REJECT", "North Korea", "United States")
    assert reject["sentence"] == denial and reject["modality"] == "asserted"


def test_events_in_a_quotation_are_attributed_to_its_speaker(pipeline):
    rec = analyse(pipeline, "« La Corée du Nord fournit d'importantes munitions à la Russie », a déclaré "
                            "le secrétaire d'État américain Antony Blinken aux journalistes.")
    ev = find(rec, "AID", "North Korea", "Russia")
    assert ev["attributed_to"] == ["Antony Blinken"] and ev["modality"] == "asserted"


def test_a_transfer_with_no_recipient_takes_the_one_just_before(pipeline):
    rec = analyse(pipeline, "La Corée du Nord fournit des munitions à la Russie. L'Iran a fourni des drones.")
    assert find(rec, "AID", "Iran", "Russia")


# -- precision -------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "La salle du sommet était décorée de drapeaux rouges.",
    "Les sanctions font souvent débat parmi les économistes.",
    "Le musée abrite une collection de missiles des années 1960.",
    "Ce sont des pays qui peuvent lui fournir ce dont elle a besoin.",
    "The museum houses a collection of missiles from the 1960s.",
    "Sanctions are a frequent topic of debate among economists.",
    "The summit hall was decorated with flags.",
    "Will the truce hold?",
])
def test_sentences_with_no_event(pipeline, text):
    assert analyse(pipeline, text)["events"] == []


def test_an_actor_is_never_both_source_and_target(pipeline, summit):
    for ev in pipeline.analyze(summit)["events"]:
        assert not set(ev["source"]) & set(ev["target"]), ev


def test_a_language_without_a_parse_has_no_events_and_says_why(pipeline):
    rec = analyse(pipeline, "Nordkorea hat Russland nach Angaben Südkoreas Artilleriemunition geliefert. "
                            "Die Regierung in Pjöngjang bestreitet das.")
    assert rec["language"] == "de" and rec["events"] == []
    assert any(w["kind"] == "degraded_model" for w in rec["warnings"])


# -- the articles ----------------------------------------------------------------------------
def test_the_canonical_example(pipeline, summit):
    """The events SPEC's example asks for; the floor is what Veille reaches (14 of 15: Blinken's
    criticism "en désespoir de cause" names no verb of accusing)."""
    rec = pipeline.analyze(summit)
    gold = json.loads(SHARED_GOLD.read_text()) if SHARED_GOLD.exists() else None
    meeting = find(rec, "CONSULT", "Vladimir Putin", "Kim Jong Un")
    assert (meeting["location"], meeting["date_text"], meeting["modality"]) == ("Pyongyang", "mercredi", "asserted")
    assert find(rec, "SUPPORT", "Kim Jong Un", "Russia")["modality"] == "pledged"
    arms = [e for e in events(rec) if e["type"] == "AID" and e["modality"] == "alleged"
            and e["attributed_to"] == ["United States", "South Korea"]][0]
    assert arms["source"] == ["North Korea"] and arms["target"] == ["Russia"]
    assert set(arms["denied_by"]) == {"North Korea", "Russia"}
    assert find(rec, "REJECT", "Russia", "United Nations")["trigger"]["text"] == "veto"
    assert find(rec, "AID", "Russia", "North Korea")["modality"] == "possible"
    assert find(rec, "AID", "Iran", "Russia")["attributed_to"] == ["Antony Blinken"]
    assert find(rec, "CONSULT", "Antony Blinken", "Jens Stoltenberg")
    assert find(rec, "COERCE", "North Korea", "South Korea")
    assert find(rec, "AGREE", "Vladimir Putin", "North Korea")["modality"] in ("planned", "possible")
    if gold is not None:  # the shared gold, scored as the shared scorer does
        score = eventcheck.score(rec, {"events": gold["events"], "no_events": []}, gold["entities"])
        assert (score.found, score.modality) >= (14, 14), score.misses + score.wrong_modality


@pytest.fixture(scope="module")
def article_records(pipeline):
    out = {}
    for path in GOLD:
        gold = json.loads(path.read_text())
        out[path.name] = (pipeline.analyze(EVENTS / gold["file"]), gold)
    return out


def test_every_article_has_floors():
    assert sorted(FLOORS) == sorted(p.name for p in GOLD)


@pytest.mark.parametrize("name", [p.name for p in GOLD])
def test_articles_hold_their_floors(article_records, name):
    rec, gold = article_records[name]
    score = eventcheck.score(rec, gold)
    got = {"found": score.found / score.gold, "modality": score.modality / score.gold}
    below = {k: (round(v, 3), FLOORS[name][k]) for k, v in got.items() if v < FLOORS[name][k] - 1e-9}
    assert below == {}, f"below floor (got, floor): {below}; missed: {score.misses}"


@pytest.mark.parametrize("name", [p.name for p in GOLD])
def test_no_event_where_the_articles_have_none(article_records, name):
    rec, gold = article_records[name]
    assert eventcheck.score(rec, gold).traps == []


def test_the_test_articles_cover_every_plover_type_in_both_languages():
    for lang in ("en", "fr"):
        types = {t for p in GOLD if p.name.startswith(lang) for e in json.loads(p.read_text())["events"]
                 for t in e["types"][:1]}
        assert types == set(PLOVER_TYPES), (lang, set(PLOVER_TYPES) - types)


# -- the lexicon and the record ----------------------------------------------------------------
@pytest.mark.parametrize("code", ["en", "fr"])
def test_the_lexicons_cover_every_plover_type_with_verbs_and_nouns(code):
    lex = EventLexicon.of(code)
    for kind in ("verbs", "nouns"):
        covered = {e.type for e in getattr(lex, kind).values()}
        assert covered == set(PLOVER_TYPES), (code, kind, set(PLOVER_TYPES) - covered)
    assert lex.cues["denied"] and lex.cues["pledged"] and lex.cues["alleged"] and lex.demonyms


def test_a_bad_lexicon_entry_is_a_clear_error():
    with pytest.raises(ConfigError, match="known types"):
        _entry("fournir", {"type": "GIVE"}, "verb", "languages/xx/events.toml")
    with pytest.raises(ConfigError, match="needs"):
        _entry("fournir", {"type": "AID", "needs": "nobody"}, "verb", "languages/xx/events.toml")


def test_every_type_has_a_cameo_root():
    assert set(CAMEO_ROOTS) == set(PLOVER_TYPES)


def test_the_record_and_the_report_line(pipeline, summit):
    rec = pipeline.analyze(summit)
    ids = {e["id"] for e in rec["entities"]}
    keys = {"type", "mode", "source", "target", "location", "date", "date_text", "modality", "attributed_to",
            "sentence", "start", "end", "trigger", "cameo", "symmetric", "denied_by", "id"}
    for ev in rec["events"]:
        assert set(ev) == keys and ev["type"] in PLOVER_TYPES
        assert set(ev["source"] + ev["target"] + ev["attributed_to"] + ev["denied_by"]) <= ids
        assert rec["text"][ev["start"]:ev["end"]] == ev["sentence"]
        t = ev["trigger"]
        assert rec["text"][t["start"]:t["end"]] == t["text"] and ev["start"] <= t["start"] < ev["end"]
    names = {e["id"]: e["name"] for e in rec["entities"]}
    lines = [event_line(ev, names) for ev in rec["events"]]
    assert ("North Korea —AID(military, alleged by United States & South Korea, denied by North Korea & Russia)"
            "→ Russia") in lines


def test_the_cli_report_shows_events(veille, summit):
    result = veille("analyze", summit)
    assert result.exit_code == 0
    assert "Events (" in result.stdout
    assert "Vladimir Putin —CONSULT↔ Kim Jong Un · 'mercredi' · Pyongyang" in result.stdout
