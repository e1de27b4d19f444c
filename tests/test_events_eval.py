"""``veille eval events`` (veille.events_eval): readers and scoring on tiny hand-made sets."""

from __future__ import annotations

import json

import pytest

from veille.errors import InputError
from veille.events_eval import GoldEvent, GoldSentence, evaluate_events, read_event_sets, read_petrarch_xml

PLOVER = [
    {"id": "a", "event": "DISAPPROVE", "text": "Israel criticised Iran over its nuclear programme.",
     "source": [{"actorText": "Israel", "code": "ISR"}], "target": [{"actorText": "Iran", "code": "IRN"}]},
    {"id": "b", "event": "AGREE", "text": "Russia promised to send military aid to Syria.",
     "source": [{"actorText": "Russia"}], "target": [{"actorText": "Syria"}]},
    {"id": "c", "event": "FIGHT", "text": "The weather in Geneva was mild on Monday.", "source": "", "target": ""},
]

XML = """<?xml version='1.0' encoding='utf-8'?>
<Validation><Sentences>
<Sentence date="19940620" id="s1" category="spanish">
<EventText eid="E1" eventtext="protestaron" sourcetext="estudiantes" targettext="" />
<EventCoding eid="E1" eventcode="14" plover="PROTEST" sourcecode="---" targetcode="---" />
<Text>
Miles de estudiantes protestaron en Madrid.
</Text>
</Sentence>
</Sentences></Validation>
"""


def test_readers_map_old_types_and_keep_actors(tmp_path):
    (tmp_path / "dev.json").write_text(json.dumps(PLOVER), encoding="utf-8")
    (tmp_path / "spanish-dev.xml").write_text(XML, encoding="utf-8")
    sentences = read_event_sets(tmp_path)
    assert [s.events[0].type for s in sentences] == ["ACCUSE", "AGREE", "ASSAULT", "PROTEST"]
    assert sentences[0].events[0] == GoldEvent("ACCUSE", "Israel", "Iran")
    (spanish,) = read_petrarch_xml(tmp_path / "spanish-dev.xml")
    assert spanish.language == "es" and spanish.text == "Miles de estudiantes protestaron en Madrid."
    assert spanish.events == [GoldEvent("PROTEST", "estudiantes", None)]
    with pytest.raises(InputError):
        read_event_sets(tmp_path / "nothing-here")


def test_event_scores_on_english_sentences(tmp_path):
    (tmp_path / "dev.json").write_text(json.dumps(PLOVER), encoding="utf-8")
    data = json.loads(evaluate_events(read_event_sets(tmp_path)).to_json())
    veille, baseline = data["veille"], data["baseline"]
    assert data["task"] == "events" and data["n"] == 3
    # Israel criticised Iran: ACCUSE, Israel → Iran; Russia promised aid: AID pledged, which is
    # PLOVER 0.5's AGREE; the weather sentence: no event, and none coded
    assert veille["tp"] == 2 and veille["fn"] == 1 and veille["type_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert veille["source_accuracy"] == 1.0 and veille["target_accuracy"] == 1.0
    assert veille["no_event_share"] == pytest.approx(1 / 3, abs=1e-3)
    assert baseline["type_accuracy"] == pytest.approx(1 / 3, abs=1e-3)  # one type for all: a third right
    assert baseline["no_event_share"] == 0.0


def test_no_sentences_is_an_error():
    with pytest.raises(InputError):
        evaluate_events([])
    assert GoldSentence("x", "1", "en", "text").events == []
