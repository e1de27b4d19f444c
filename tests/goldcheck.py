"""Compare an analysis record with a hand-made gold file (the schema of tests/gold/*.gold.json).

Each check returns a list of problems, empty when the record is right, so a
failing test says exactly what is wrong.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c))
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u00ab", '"'), ("\u00bb", '"'), ("\u201c", '"'),
                 ("\u201d", '"'), ("\u2026", "..."), ("-", " ")):
        s = s.replace(a, b)
    return " ".join(s.casefold().split())


def _names(ent: dict[str, Any]) -> set[str]:
    return {norm(ent["name"])} | {norm(m["text"]) for m in ent["mentions"]}


def entities_for(rec: dict[str, Any], g: dict[str, Any]) -> list[dict[str, Any]]:
    """Every record entity that is this gold actor: by canonical name or by a mention."""
    canon = {norm(x) for x in g.get("canonical", [g["name"]])}
    variants = {norm(v) for v in g["variants"]}
    return [e for e in rec["entities"] if norm(e["name"]) in canon or (_names(e) & variants and
            not (norm(e["name"]) not in canon and e.get("kb_id")))]


def cleaning(rec: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    problems = []
    text = norm(rec["text"])
    if norm(rec["title"]) != norm(gold["title"]):
        problems.append(f"title {rec['title']!r} != {gold['title']!r}")
    if [norm(a) for a in rec["authors"]] != [norm(a) for a in gold["authors"]]:
        problems.append(f"authors {rec['authors']} != {gold['authors']}")
    if rec["language"] != gold["language"]:
        problems.append(f"language {rec['language']} != {gold['language']}")
    problems += [f"not removed: {s!r}" for s in gold.get("must_remove", []) if norm(s) in text]
    caps = " | ".join(norm(c) for c in rec["captions"])
    for c in gold.get("captions", []):
        if norm(c) not in caps:
            problems.append(f"caption missing: {c!r}")
        if norm(c) in text:
            problems.append(f"caption left in body: {c!r}")
    problems += [f"body lost: {s!r}" for s in gold.get("body_must_contain", []) if norm(s) not in text]
    return problems


def entities(rec: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Each gold actor found exactly once, with a canonical name and enough mentions."""
    problems = []
    for g in gold["entities"]:
        found = entities_for(rec, g)
        canon = {norm(x) for x in g.get("canonical", [g["name"]])}
        if not found:
            problems.append(f"missing actor {g['name']}")
            continue
        # an entity with no body mention (named by an adjective an event needed, or only in a
        # caption) holds none of the actor's mentions: it splits nothing
        if len([e for e in found if e["mentions"]]) > 1:
            problems.append(f"{g['name']} split into {[e['name'] for e in found]}")
        best = max(found, key=lambda e: len(e["mentions"]))
        if norm(best["name"]) not in canon:
            problems.append(f"{g['name']} named {best['name']!r}")
        if len(best["mentions"]) < g.get("min_mentions", 1):
            problems.append(f"{g['name']}: {len(best['mentions'])} mentions < {g.get('min_mentions', 1)}")
    for a, b in gold.get("same_entity", []):
        ea = [e["id"] for e in rec["entities"] if norm(a) in _names(e)]
        eb = [e["id"] for e in rec["entities"] if norm(b) in _names(e)]
        if not ea or ea != eb:
            problems.append(f"{a!r} and {b!r} not merged ({ea} vs {eb})")
    forbidden = {norm(x) for x in gold.get("not_entities", [])}
    problems += [f"forbidden entity {e['name']!r}" for e in rec["entities"] if _names(e) & forbidden]
    return problems


def quotes(rec: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Each gold quote found (a record quote contains its words) with the right speaker."""
    problems = []
    ids = {e["id"]: e for e in rec["entities"]}
    for gq in gold.get("quotes", []):
        hits = [q for q in rec["quotes"] if norm(gq["contains"]) in norm(q["text"])]
        if not hits:
            problems.append(f"quote not found: {gq['contains']!r}")
            continue
        if gq.get("speaker"):
            g = next((x for x in gold["entities"] if x["name"] == gq["speaker"]), None)
            want = {norm(v) for v in (g["variants"] + g.get("canonical", [g["name"]]))} if g else {norm(gq["speaker"])}
            ok = any(q["speaker"] in ids and _names(ids[q["speaker"]]) & want for q in hits)
        else:
            ok = any(norm(gq["speaker_text_contains"]) in norm(q.get("speaker_text")) for q in hits)
        if not ok:
            got = [(ids.get(q["speaker"], {}).get("name"), q.get("speaker_text")) for q in hits]
            problems.append(f"quote {gq['contains'][:40]!r}: speaker {gq.get('speaker') or gq.get('speaker_text_contains')!r}, got {got}")
    return problems


def offsets(rec: dict[str, Any]) -> list[str]:
    """Every offset points at the text it claims."""
    text = rec["text"]
    problems = [f"mention {m['text']!r} at {m['start']}" for e in rec["entities"] for m in e["mentions"]
                if text[m["start"]:m["end"]] != m["text"]]
    problems += [f"quote at {q['start']}" for q in rec["quotes"] if text[q["start"]:q["end"]] != q["text"]]
    problems += [f"caption mention {m['text']!r}" for e in rec["entities"] for m in e.get("caption_mentions", [])
                 if rec["captions"][m["caption"]][m["start"]:m["end"]] != m["text"]]
    ids = {e["id"] for e in rec["entities"]}
    problems += [f"speaker {q['speaker']} unknown" for q in rec["quotes"] if q["speaker"] and q["speaker"] not in ids]
    return problems
