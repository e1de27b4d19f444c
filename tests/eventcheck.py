"""Score a record's events against a hand-made event gold (``tests/events/*.events.json``).

Matching is the shared scorer's (``shared/tools/score_record.py``): a gold event is found
when an unused record event has one of its types, its sentence holds the gold evidence,
and a source and a target are gold actors (either way round for a symmetric event); an
actor is a gold actor when the entity's name or one of its mentions is one of the gold
names. Sides the gold leaves empty (a group with no name) are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from goldcheck import norm


@dataclass
class EventScore:
    gold: int = 0
    found: int = 0
    modality: int = 0
    misses: list[str] = field(default_factory=list)
    wrong_modality: list[str] = field(default_factory=list)
    #: record events in sentences the gold says hold no event
    traps: list[str] = field(default_factory=list)
    extra: int = 0
    #: indices of the record's events no gold event matched
    unmatched: list[int] = field(default_factory=list)


def score(rec: dict[str, Any], gold: dict[str, Any], gold_entities: list[dict[str, Any]] | None = None) -> EventScore:
    """``gold_entities``: the gold's actors with their variants and metonyms (the schema of
    ``shared/examples/*.gold.json``), when gold names should match their variants too."""
    ents = {e["id"]: e for e in rec["entities"]}
    variants = {g["name"]: [g["name"], *g.get("variants", []), *g.get("metonyms", [])] for g in gold_entities or []}

    def names(eid: str) -> set[str]:
        e = ents.get(eid)
        return set() if e is None else {norm(e["name"])} | {norm(m["text"]) for m in e["mentions"]}

    def is_actor(ids: list[str], gold_names: list[str]) -> bool:
        if not gold_names:
            return True
        wanted = {norm(v) for n in gold_names for v in variants.get(n, [n])}
        return any(names(i) & wanted for i in ids)

    out = EventScore(gold=len(gold["events"]))
    events = rec["events"]
    used: set[int] = set()
    for g in gold["events"]:
        hit = None
        for i, ev in enumerate(events):
            if i in used or ev["type"] not in g["types"] or norm(g["evidence"]) not in norm(ev["sentence"]):
                continue
            direct = is_actor(ev["source"], g["source"]) and is_actor(ev["target"], g["target"])
            swapped = g.get("symmetric") and is_actor(ev["source"], g["target"]) and is_actor(ev["target"], g["source"])
            if direct or swapped:
                hit = i
                break
        if hit is None:
            out.misses.append(f"{g['types'][0]} {g['source'][:1]}→{g['target'][:1]} «{g['evidence']}»")
            continue
        used.add(hit)
        out.found += 1
        if events[hit]["modality"] in g["modality"]:
            out.modality += 1
        else:
            out.wrong_modality.append(f"{g['types'][0]} «{g['evidence']}»: {events[hit]['modality']} "
                                      f"not in {g['modality']}")
    for trap in gold.get("no_events", []):
        for ev in events:
            if norm(trap) in norm(ev["sentence"]):
                out.traps.append(f"{ev['type']} in «{trap}»")
    out.extra = len(events) - len(used)
    out.unmatched = [i for i in range(len(events)) if i not in used]
    return out
