"""Check the hand-made event gold in tests/events/ against its articles.

Every `evidence` and `no_events` substring must occur exactly once in the article
body (the title line excluded), every type and modality must be a known one, and
the set must cover each PLOVER type at least twice. Prints the coverage table.

    python tests/events/check_events.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
         "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
MODALITIES = ["asserted", "alleged", "denied", "pledged", "planned", "possible", "negated"]


def check(path: Path) -> tuple[list[str], list[dict]]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    article = HERE / gold["file"]
    title, _, body = article.read_text(encoding="utf-8").partition("\n\n")
    problems = []
    if gold["language"] != gold["file"][:2]:
        problems.append(f"language {gold['language']!r} does not match the file name")
    for ev in gold["events"]:
        s = ev["evidence"]
        if body.count(s) != 1:
            problems.append(f"evidence {s!r} occurs {body.count(s)} times in the body")
        problems += [f"unknown type {t!r} ({s!r})" for t in ev["types"] if t not in TYPES]
        problems += [f"unknown modality {m!r} ({s!r})" for m in ev["modality"] if m not in MODALITIES]
        if not ev["types"] or not ev["modality"] or not (ev["source"] or ev["target"]):
            problems.append(f"event {s!r} needs a type, a modality and at least one actor side")
        if not isinstance(ev.get("symmetric"), bool):
            problems.append(f"event {s!r}: symmetric must be true or false")
    for s in gold["no_events"]:
        if body.count(s) != 1:
            problems.append(f"no_events {s!r} occurs {body.count(s)} times in the body")
        if any(ev["evidence"] in s or s in ev["evidence"] for ev in gold["events"]):
            problems.append(f"no_events {s!r} overlaps an event's evidence")
    if len(gold["no_events"]) < 2:
        problems.append("fewer than 2 no_events")
    return problems, gold["events"]


def main() -> int:
    types: dict[str, Counter[str]] = {t: Counter() for t in TYPES}
    modalities: dict[str, Counter[str]] = {m: Counter() for m in MODALITIES}
    failed = False
    for path in sorted(HERE.glob("*.events.json")):
        problems, events = check(path)
        lang = path.name[:2]
        for ev in events:
            types[ev["types"][0]][lang] += 1
            modalities[ev["modality"][0]][lang] += 1
        print(f"{path.name}: {len(events)} events, " + ("OK" if not problems else f"{len(problems)} problem(s)"))
        for p in problems:
            print(f"  - {p}")
        failed |= bool(problems)
    print(f"\n{'type (first listed)':<20}{'en':>4}{'fr':>4}{'all':>5}")
    for t, c in types.items():
        flag = "" if sum(c.values()) >= 2 else "  <- fewer than 2"
        failed |= bool(flag)
        print(f"{t:<20}{c['en']:>4}{c['fr']:>4}{sum(c.values()):>5}{flag}")
    print(f"\n{'modality (first)':<20}{'en':>4}{'fr':>4}{'all':>5}")
    for m, c in modalities.items():
        print(f"{m:<20}{c['en']:>4}{c['fr']:>4}{sum(c.values()):>5}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
