"""``veille eval events``: event types, sources and targets against gold sentences.

Sets (``veille eval events`` reads both by default):

* ``plover-gsr/dev.json``: English sentences of the CAMEO manual coded in PLOVER 0.5 (one
  event each: ``event``, ``source`` and ``target`` as ``[{actorText}]``). Old types are mapped
  as the set's README says (DEMAND → REQUEST, DISAPPROVE → ACCUSE, INVESTIGATE → ACCUSE,
  FIGHT → ASSAULT). PLOVER 0.5 coded a promise as AGREE where Veille codes the promised act
  with the modality ``pledged``: a pledged event counts as AGREE too.
* ``events/*.xml``: UniversalPetrarch's Spanish validation records (``<Sentence>`` with
  ``<EventCoding plover=...>`` and ``<EventText sourcetext= targettext=>``, ``<Text>``).

Each sentence goes through Veille's pipeline from the ``verbatim`` stage to ``events``. Per
sentence: the *type* is right when an event Veille codes has a gold type; the *source*
(*target*) is right when that event's source (target) entity has a mention overlapping the
gold actor's text in the sentence. Precision: events coded with a gold type among all coded;
recall: gold events whose type is found (several events of one right type count once). Baseline, in the same run: the set's most frequent
type for every sentence, the first bare-spaCy entity as source and the second as target.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .evaluate import Counts, Evaluation

__all__ = ["GoldEvent", "GoldSentence", "evaluate_events", "read_petrarch_xml", "read_plover_gsr"]

#: PLOVER 0.5 types → the 16 types Veille codes
OLD_TYPES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


@dataclass(frozen=True)
class GoldEvent:
    type: str
    source: str | None
    target: str | None


@dataclass
class GoldSentence:
    set: str
    id: str
    language: str
    text: str
    events: list[GoldEvent] = field(default_factory=list)


def _actor(value: object) -> str | None:
    if isinstance(value, list):
        texts = [a.get("actorText") for a in value if isinstance(a, dict) and a.get("actorText")]
        return texts[0] if texts else None
    return value if isinstance(value, str) and value.strip() else None


def read_plover_gsr(path: str | Path, limit: int | None = None) -> list[GoldSentence]:
    path = Path(path)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the PLOVER records {path}: {exc}") from exc
    out = []
    for record in records[:limit]:
        kind = OLD_TYPES.get(record["event"], record["event"])
        out.append(GoldSentence("plover-gsr", record["id"], record.get("language") or "en", record["text"],
                                [GoldEvent(kind, _actor(record.get("source")), _actor(record.get("target")))]))
    return out


def read_petrarch_xml(path: str | Path, limit: int | None = None) -> list[GoldSentence]:
    path = Path(path)
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as exc:
        raise InputError(f"cannot read the validation records {path}: {exc}") from exc
    out = []
    for sentence in root.iter("Sentence"):
        text = " ".join((sentence.findtext("Text") or "").split())
        if not text:
            continue
        actors = {e.get("eid"): (e.get("sourcetext") or None, e.get("targettext") or None)
                  for e in sentence.iter("EventText")}
        events = [GoldEvent(OLD_TYPES.get(c.get("plover") or "", c.get("plover") or ""),
                            *actors.get(c.get("eid"), (None, None)))
                  for c in sentence.iter("EventCoding") if c.get("plover")]
        language = "es" if "spanish" in (sentence.get("category") or path.stem).lower() else "en"
        out.append(GoldSentence(path.stem, sentence.get("id") or str(len(out)), language, text, events))
        if limit is not None and len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class Coded:
    type: str
    sources: tuple[tuple[int, int], ...]  # mention spans of the source entities
    targets: tuple[tuple[int, int], ...]


def veille_events(sentences: list[GoldSentence]) -> list[list[Coded]]:
    from .document import RawDocument, Source
    from .pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline(PipelineConfig(stages=("verbatim", "language", "nlp", "actors", "places", "events")))
    raws = [RawDocument(source=Source(s.id, "text"), text=s.text, language=s.language) for s in sentences]
    out = []
    for record in pipeline.analyze_many(raws):
        coded = []
        if isinstance(record, dict):
            spans = {e["id"]: tuple((m["start"], m["end"]) for m in e["mentions"]) for e in record["entities"]}
            for event in record["events"]:
                kinds = [event["type"]] + (["AGREE"] if event.get("modality") == "pledged" else [])
                for kind in kinds:
                    coded.append(Coded(kind, tuple(s for e in event["source"] for s in spans.get(e, ())),
                                       tuple(s for e in event["target"] for s in spans.get(e, ()))))
        out.append(coded)
    return out


def baseline_events(sentences: list[GoldSentence]) -> list[list[Coded]]:
    """The set's most frequent type, the first and second bare-spaCy entities as actors."""
    from .nlp import load_model

    common = Counter(e.type for s in sentences for e in s.events).most_common(1)
    kind = common[0][0] if common else "PROTEST"
    out = []
    for sentence in sentences:
        model = load_model(sentence.language)
        ents = [] if model.degraded else [(e.start_char, e.end_char) for e in model.nlp(sentence.text).ents
                                          if e.label_ in ("PERSON", "PER", "ORG", "GPE", "NORP", "LOC")]
        out.append([Coded(kind, tuple(ents[:1]), tuple(ents[1:2]))])
    return out


def _spans_of(text: str, actor: str | None) -> tuple[int, int] | None:
    if not actor:
        return None
    found = re.search(re.escape(actor), text, flags=re.IGNORECASE)
    return (found.start(), found.end()) if found else None


def _hits(spans: tuple[tuple[int, int], ...], gold: tuple[int, int] | None) -> bool:
    return gold is not None and any(s < gold[1] and gold[0] < e for s, e in spans)


def evaluate_events(sentences: list[GoldSentence]) -> Evaluation:
    """Veille and the baseline on gold sentences; groups are the sets."""
    if not sentences:
        raise InputError("no gold sentences to evaluate")
    result = Evaluation("events", items=len(sentences), negatives=False)
    for system, coded in (("veille", veille_events(sentences)), ("baseline", baseline_events(sentences))):
        right: Counter[str] = Counter()  # "source", "<set> source"... -> actors right
        asked: Counter[str] = Counter()
        nothing: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for sentence, mine in zip(sentences, coded, strict=True):
            seen[sentence.set] += 1
            nothing[sentence.set] += not mine
            gold_types = {e.type for e in sentence.events}
            counts = Counts(fp=sum(1 for c in mine if c.type not in gold_types))
            for event in sentence.events:
                same = [c for c in mine if c.type == event.type]
                counts.tp += bool(same)
                counts.fn += not same
                for role, actor, pick in (("source", event.source, "sources"), ("target", event.target, "targets")):
                    gold_span = _spans_of(sentence.text, actor)
                    if gold_span is None:
                        continue
                    for key in (role, f"{sentence.set} {role}"):
                        asked[key] += 1
                        right[key] += any(_hits(getattr(c, pick), gold_span) for c in same)
            result.add_counts(system, counts, sentence.set)

        def share(key: str, right: Counter = right, asked: Counter = asked) -> float | None:
            return round(right[key] / asked[key], 4) if asked[key] else None

        result.details[system].update(
            type_accuracy=round(result.overall[system].recall, 4), source_accuracy=share("source"),
            target_accuracy=share("target"), no_event_share=round(sum(nothing.values()) / len(sentences), 4),
            per_set={name: {"type_accuracy": round(result.groups[name][system].recall, 4),
                            "source_accuracy": share(f"{name} source"), "target_accuracy": share(f"{name} target"),
                            "no_event_share": round(nothing[name] / seen[name], 4)} for name in seen})
    result.details["veille"]["method"] = "pipeline verbatim → language → nlp → actors → places → events"
    result.details["baseline"]["method"] = "the most frequent type; first and second bare-spaCy entities"
    return result


def read_event_sets(folder: str | Path, limit: int | None = None) -> list[GoldSentence]:
    """The sentences of every set in ``folder``: ``dev.json`` (PLOVER records) and ``*.xml``
    (validation records), or of the file ``folder`` itself."""
    folder = Path(folder)
    files = [folder] if folder.is_file() else sorted(folder.glob("*.json")) + sorted(folder.glob("*.xml"))
    sentences: list[GoldSentence] = []
    for path in files:
        sentences += read_plover_gsr(path, limit) if path.suffix == ".json" else read_petrarch_xml(path, limit)
    if not sentences:
        raise InputError(f"{folder}: no PLOVER records (*.json) or validation records (*.xml)")
    return sentences
