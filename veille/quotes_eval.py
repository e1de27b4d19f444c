"""``veille eval quotes``: quotation content spans and their speakers against PolNeAR.

PolNeAR (``quotes/polnear/dev``: ``text/<article>.txt`` and brat standoff files
``attributions/<article>_<annotator>.ann``; an article annotated twice is scored against its
first annotator's file) marks each attribution with ``Source``, ``Cue`` and ``Content`` spans
tied by an ``E`` line. The text goes through Veille's pipeline from the ``verbatim`` stage to
``quotes``.

* A found quote *matches* a gold content when they overlap by at least half of the longer of
  the two (each matched once, greedily by overlap); precision and recall of contents follow.
* Of the matched quotes with a gold source, the *speaker* is right when a mention of the
  speaker entity overlaps the gold source span, or when the speaker text and the source text
  contain one another (case aside: "Trump" in "Donald Trump").

Baseline, in the same run: text between quotation marks (three words or more) is a quote, and
its speaker is the nearest PERSON or ORG entity of bare spaCy in the same paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .evaluate import Counts, Evaluation

__all__ = ["Attribution", "PolnearDocument", "baseline_quotes", "evaluate_quotes", "match_quotes", "read_polnear"]


@dataclass(frozen=True)
class Attribution:
    start: int  # the content's extent (its first fragment's start, its last fragment's end)
    end: int
    source: tuple[int, int] | None


@dataclass
class PolnearDocument:
    id: str
    text: str
    attributions: list[Attribution] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    """A quote a system found: its extent and its speaker (mention spans and a text)."""

    start: int
    end: int
    speaker_spans: tuple[tuple[int, int], ...] = ()
    speaker_text: str | None = None


def read_polnear(folder: str | Path, limit: int | None = None) -> list[PolnearDocument]:
    folder = Path(folder)
    texts, anns = folder / "text", folder / "attributions"
    if not texts.is_dir() or not anns.is_dir():
        raise InputError(f"{folder}: a PolNeAR folder holds text/ and attributions/")
    first: dict[str, Path] = {}
    for ann in sorted(anns.glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        first.setdefault(article, ann)
    docs = []
    for article, ann in sorted(first.items())[:limit]:
        text_path = texts / f"{article}.txt"
        if not text_path.is_file():
            continue
        docs.append(PolnearDocument(article, text_path.read_text(encoding="utf-8"), _attributions(ann)))
    return docs


def _attributions(path: Path) -> list[Attribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            ident, _, rest = line.partition("\t")
            head = rest.split("\t", 1)[0]
            kind, _, offsets = head.partition(" ")
            fragments = [tuple(int(x) for x in part.split()) for part in offsets.split(";") if part.strip()]
            spans[ident] = (kind, [f for f in fragments if len(f) == 2])  # type: ignore[misc]
        elif line.startswith("E"):
            _, _, rest = line.partition("\t")
            events.append(dict(part.split(":", 1) for part in rest.split() if ":" in part))
    out = []
    for event in events:
        content = spans.get(event.get("Content", ""))
        if not content or not content[1]:
            continue
        source = spans.get(event.get("Source", ""))
        out.append(Attribution(min(s for s, _ in content[1]), max(e for _, e in content[1]),
                               (min(s for s, _ in source[1]), max(e for _, e in source[1]))
                               if source and source[1] else None))
    return out


def veille_quotes(docs: list[PolnearDocument]) -> list[list[Found]]:
    from .document import RawDocument, Source
    from .pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline(PipelineConfig(stages=("verbatim", "language", "nlp", "actors", "quotes")))
    raws = [RawDocument(source=Source(d.id, "text"), text=d.text, language="en") for d in docs]
    out = []
    for record in pipeline.analyze_many(raws):
        found = []
        if isinstance(record, dict):
            mentions = {e["id"]: tuple((m["start"], m["end"]) for m in e["mentions"]) for e in record["entities"]}
            found = [Found(q["start"], q["end"], mentions.get(q.get("speaker") or "", ()), q.get("speaker_text"))
                     for q in record["quotes"]]
        out.append(found)
    return out


_QUOTED = re.compile(r"[\"“«]([^\"”»\n]{3,}?)[\"”»]")
_PARAGRAPH = re.compile(r"[^\n]+")


def baseline_quotes(docs: list[PolnearDocument]) -> list[list[Found]]:
    """Quotation marks and the nearest bare-spaCy PERSON or ORG of the paragraph."""
    from .nlp import load_model

    nlp = load_model("en").nlp
    out = []
    for doc in docs:
        parsed = nlp(doc.text)
        people = [(e.start_char, e.end_char, e.text) for e in parsed.ents if e.label_ in ("PERSON", "ORG")]
        found = []
        for paragraph in _PARAGRAPH.finditer(doc.text):
            here = [p for p in people if paragraph.start() <= p[0] < paragraph.end()]
            for m in _QUOTED.finditer(paragraph.group()):
                if len(m.group(1).split()) < 3:
                    continue
                start, end = paragraph.start() + m.start(1), paragraph.start() + m.end(1)
                near = min(here, key=lambda p: min(abs(p[0] - end), abs(p[1] - start)), default=None)
                found.append(Found(start, end, ((near[0], near[1]),) if near else (), near[2] if near else None))
        out.append(found)
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_quotes(found: list[Found], gold: list[Attribution], text: str) -> tuple[Counts, int, int]:
    """Counts of contents (tp, fp, fn) and (right speakers, matched quotes with a gold source)."""
    pairs = []
    for i, f in enumerate(found):
        for j, g in enumerate(gold):
            shared = _overlap((f.start, f.end), (g.start, g.end))
            if shared and shared >= 0.5 * max(f.end - f.start, g.end - g.start):
                pairs.append((shared, i, j))
    used_f: set[int] = set()
    used_g: set[int] = set()
    right = asked = 0
    for _, i, j in sorted(pairs, reverse=True):
        if i in used_f or j in used_g:
            continue
        used_f.add(i)
        used_g.add(j)
        source = gold[j].source
        if source is not None:
            asked += 1
            right += _speaker_right(found[i], source, text)
    counts = Counts(tp=len(used_g), fp=len(found) - len(used_f), fn=len(gold) - len(used_g))
    return counts, right, asked


def _speaker_right(found: Found, source: tuple[int, int], text: str) -> bool:
    if any(_overlap(span, source) for span in found.speaker_spans):
        return True
    said, gold = (found.speaker_text or "").casefold().strip(), text[source[0]:source[1]].casefold().strip()
    return bool(said and gold and (said in gold or gold in said))


def evaluate_quotes(folder: str | Path, limit: int | None = None) -> Evaluation:
    """Veille and the baseline on the PolNeAR articles of ``folder`` (the first ``limit``)."""
    docs = read_polnear(folder, limit)
    if not docs:
        raise InputError(f"{folder}: no PolNeAR article with its text")
    result = Evaluation("quotes", items=len(docs), negatives=False)
    for system, found in (("veille", veille_quotes(docs)), ("baseline", baseline_quotes(docs))):
        right = asked = 0
        for doc, mine in zip(docs, found, strict=True):
            counts, r, a = match_quotes(mine, doc.attributions, doc.text)
            result.add_counts(system, counts, doc.id.split("_", 1)[0])
            right += r
            asked += a
        result.details[system].update(speaker_accuracy=round(right / asked, 4) if asked else None,
                                      speakers_scored=asked)
    result.details["veille"]["method"] = "pipeline verbatim → language → nlp → actors → quotes"
    result.details["baseline"]["method"] = "quotation marks; nearest bare-spaCy PERSON/ORG of the paragraph"
    return result
