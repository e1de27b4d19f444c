#!/usr/bin/env python3
"""Check the hand-made gold files against the articles they describe.

usage: python tests/gold/check_gold.py [--counts] [NAME ...]

Every gold file ``tests/gold/<name>.gold.json`` names its article in ``file``,
relative to ``examples/``. The scorer (shared/tools/score_record.py) looks for
the gold's substrings in Veille's output, so a substring that is not in the
article can never be found and silently costs points. This script checks that:

- the keys are there and have the right shapes (no ``events`` is fine);
- every ``title``, ``authors``, ``must_remove``, ``captions``,
  ``body_must_contain``, quote ``contains`` and ``speaker_text_contains``,
  ``same_entity`` surface form and ``not_entities`` string appears verbatim in
  the article (for HTML: in its visible text, tags removed, entities decoded);
- each entity has at least one variant in the article, a known type, and each
  named quote speaker is one of the gold entities;
- ``min_mentions`` is not more than a rough count of the variants in the body
  (the body here: the article less its title line, captions and junk lines);
  an entity found only outside that body is reported as a note, not an error.

Substrings are compared with runs of whitespace (no-break spaces too) taken as
one space, as the scorer does.

``--counts`` prints that rough count for every entity, to help set
``min_mentions``. Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent
EXAMPLES = GOLD_DIR.parent.parent / "examples"
TYPES = {"PER", "ORG", "GPE", "LOC", "FAC", "MISC"}
KEYS = {
    "file": str,
    "language": str,
    "title": str,
    "authors": list,
    "must_remove": list,
    "captions": list,
    "body_must_contain": list,
    "entities": list,
    "same_entity": list,
    "not_entities": list,
    "quotes": list,
}
# Languages written without spaces between a name and what follows it (Korean
# particles, Japanese, Chinese): count mentions without word boundaries.
NO_BOUNDARY = {"ko", "ja", "zh"}


class _Visible(HTMLParser):
    """The visible text of an HTML page, one block per line."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "figcaption", "div", "title", "time", "button", "aside", "footer"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def article_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix.lower() not in (".html", ".htm"):
        return raw
    parser = _Visible()
    parser.feed(raw)
    lines = (" ".join(ln.split()) for ln in "".join(parser.parts).splitlines())
    return "\n".join(ln for ln in lines if ln)


def body_of(text: str, gold: dict) -> str:
    """The article less its title line, caption lines and lines holding junk."""
    drop = [gold["title"], *gold.get("captions", []), *gold.get("must_remove", []), *gold.get("authors", [])]
    keep = [ln for ln in text.splitlines() if not any(d and d in ln for d in drop)]
    return "\n".join(keep)


def count_mentions(body: str, variants: list[str], language: str) -> int:
    """Non-overlapping occurrences of any variant, longest first."""
    alts = sorted({v for v in variants if v}, key=len, reverse=True)
    if not alts:
        return 0
    pattern = "|".join(re.escape(v) for v in alts)
    if language not in NO_BOUNDARY:
        pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
    return len(re.findall(pattern, body))


def squash(s: str) -> str:
    """Runs of whitespace (no-break spaces too) as one space, as the scorer compares."""
    return " ".join(s.split())


def check(gold_path: Path, show_counts: bool) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    notes: list[str] = []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    for key, kind in KEYS.items():
        if not isinstance(gold.get(key), kind):
            errors.append(f"key {key!r} missing or not a {kind.__name__}")
    if errors:
        return errors, notes
    art = EXAMPLES / gold["file"]
    if not art.exists():
        return [f"article {gold['file']} not found in {EXAMPLES}"], notes
    text = article_text(art)
    flat = squash(text)

    def need(label: str, s: str) -> None:
        if not isinstance(s, str) or not s:
            errors.append(f"{label}: empty or not a string: {s!r}")
        elif s not in text and squash(s) not in flat:
            errors.append(f"{label}: not in the article: {s!r}")

    need("title", gold["title"])
    for a in gold["authors"]:
        need("authors", a)
    for key in ("must_remove", "captions", "body_must_contain", "not_entities"):
        for s in gold[key]:
            need(key, s)
    for s in gold["body_must_contain"]:
        for junk in gold["must_remove"] + gold["captions"]:
            if junk in s or s in junk:
                errors.append(f"body_must_contain {s!r} overlaps junk or caption {junk!r}")
    names = set()
    for ent in gold["entities"]:
        label = f"entity {ent.get('name')!r}"
        names.add(ent.get("name"))
        if ent.get("type") not in TYPES:
            errors.append(f"{label}: type {ent.get('type')!r} not one of {sorted(TYPES)}")
        variants = ent.get("variants") or []
        if not any(v in text or squash(v) in flat for v in variants):
            errors.append(f"{label}: no variant occurs in the article")
        if "canonical" in ent and ent["name"] not in ent["canonical"]:
            errors.append(f"{label}: name is not in its canonical list")
        n = count_mentions(body_of(text, gold), variants, gold["language"])
        if n == 0:
            notes.append(f"{label}: no variant in the body (only in the title, captions or junk?)")
        elif ent.get("min_mentions", 1) > n:
            errors.append(f"{label}: min_mentions {ent['min_mentions']} but about {n} mentions found")
        if show_counts:
            print(f"  {ent['name']:<45} {n:>3}  (min_mentions {ent.get('min_mentions', '-')})")
    for pair in gold["same_entity"]:
        if len(pair) != 2:
            errors.append(f"same_entity: not a pair: {pair!r}")
        for s in pair:
            need("same_entity", s)
    for q in gold["quotes"]:
        if q.get("kind") not in ("direct", "indirect"):
            errors.append(f"quote {q.get('contains')!r}: kind {q.get('kind')!r}")
        need("quote contains", q.get("contains"))
        if q.get("speaker") is None:
            need("quote speaker_text_contains", q.get("speaker_text_contains"))
        elif q["speaker"] not in names:
            errors.append(f"quote {q.get('contains')!r}: speaker {q['speaker']!r} is not a gold entity")
    for ev in gold.get("events", []):
        need("event evidence", ev.get("evidence"))
    for w in gold.get("warnings", []):
        need("warning near", w.get("near"))
    return errors, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="only gold files whose name contains one of these")
    ap.add_argument("--counts", action="store_true", help="print a rough mention count per entity")
    args = ap.parse_args()
    failed = 0
    paths = sorted(GOLD_DIR.glob("*.gold.json"))
    if args.names:
        paths = [p for p in paths if any(n in p.name for n in args.names)]
    for path in paths:
        if args.counts:
            print(path.name)
        errors, notes = check(path, args.counts)
        failed += bool(errors)
        for e in errors:
            print(f"{path.name}: {e}")
        for n in notes:
            print(f"{path.name}: note: {n}")
    print(f"{len(paths)} gold files, {failed} with errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
