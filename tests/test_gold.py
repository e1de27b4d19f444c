"""The hand-made gold articles of tests/gold/: cleaning exact, actors and quotes above pinned floors.

Floors live in tests/gold/floors.json. Raising one is a normal commit; lowering
one needs a reason in the commit message. The canonical example must be right
on everything in its article body.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import goldcheck
import pytest

GOLD_DIR = Path(__file__).resolve().parent / "gold"
GOLD = sorted(GOLD_DIR.glob("*.gold.json"))
FLOORS: dict[str, dict[str, float]] = json.loads((GOLD_DIR / "floors.json").read_text())
CANONICAL = "pyongyang-summit-fr.gold.json"


@pytest.fixture(scope="module")
def records(pipeline, examples) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    out = {}
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        out[path.name] = (pipeline.analyze(examples / gold["file"]), gold)
    return out


def in_body(rec: dict[str, Any], gold: dict[str, Any]) -> dict[str, Any]:
    """The gold restricted to actors named in the body (a caption's actors have no offsets there)."""
    text = goldcheck.norm(rec["text"])
    entities = [g for g in gold["entities"] if any(goldcheck.norm(v) in text for v in g["variants"])]
    return dict(gold, entities=entities)


def rates(rec: dict[str, Any], gold: dict[str, Any]) -> dict[str, float]:
    gold = in_body(rec, gold)
    ent_problems = goldcheck.entities(rec, dict(gold, same_entity=[], not_entities=[]))
    missing = sum(p.startswith("missing") or " split into " in p for p in ent_problems)
    n_ent = max(1, len(gold["entities"]))
    quote_problems = goldcheck.quotes(rec, gold)
    n_q = max(1, len(gold.get("quotes", [])))
    not_found = sum(p.startswith("quote not found") for p in quote_problems)
    return {
        "entities": 1 - missing / n_ent,
        "canonical": 1 - sum(" named " in p for p in ent_problems) / n_ent,
        "quotes": 1 - not_found / n_q,
        "speakers": 1 - len(quote_problems) / n_q,
    }


def test_every_gold_article_has_floors():
    assert sorted(FLOORS) == sorted(p.name for p in GOLD)


@pytest.mark.parametrize("name", [p.name for p in GOLD])
def test_cleaning_is_exact(records, name):
    rec, gold = records[name]
    assert goldcheck.cleaning(rec, gold) == []


@pytest.mark.parametrize("name", [p.name for p in GOLD])
def test_offsets_and_no_forbidden_actors(records, name):
    rec, gold = records[name]
    assert goldcheck.offsets(rec) == []
    assert [p for p in goldcheck.entities(rec, gold) if p.startswith("forbidden")] == []


@pytest.mark.parametrize("name", [p.name for p in GOLD])
def test_actors_and_quotes_hold_their_floors(records, name):
    rec, gold = records[name]
    got = rates(rec, gold)
    below = {k: (round(v, 3), FLOORS[name][k]) for k, v in got.items() if v < FLOORS[name][k] - 1e-9}
    assert below == {}, f"below floor (got, floor): {below}"


def test_canonical_example_is_right_on_everything(records):
    rec, gold = records[CANONICAL]
    gold = in_body(rec, gold)
    assert goldcheck.entities(rec, gold) == []
    assert goldcheck.quotes(rec, gold) == []
    artefacts = [w for w in rec["warnings"] if w["kind"] == "translation_artifact"]
    assert [goldcheck.norm(w["text"]) for w in artefacts] == [goldcheck.norm("». Ukraine. »")]
    assert all(rec["text"][w["start"]:w["end"]] == w["text"] for w in artefacts)
    # each actor once: no two entities share a canonical name
    names = [e["name"] for e in rec["entities"]]
    assert len(names) == len(set(names))
