"""``Article`` → the analysis record of SPEC.md (a plain JSON-ready dict)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .document import Article, Entity

__all__ = ["to_record"]


def to_record(article: Article) -> dict[str, Any]:
    raw = article.raw
    return {
        "id": article.id,
        "source": {"uri": raw.source.uri, "format": raw.source.format},
        "language": article.language,
        "title": article.title,
        "authors": article.authors,
        "published": article.published,
        "text": article.text,
        "captions": article.captions,
        "removed": [asdict(r) for r in article.removed],
        "warnings": [asdict(w) for w in article.warnings],
        "entities": [_entity(e) for e in article.entities],
        "quotes": [asdict(q) for q in article.quotes],
        "events": article.events,
    }


def _entity(e: Entity) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": e.id, "name": e.name, "type": e.type, "kb_id": e.kb_id, "ftm_id": e.ftm_id,
        "mentions": [{"text": m.text, "start": m.start, "end": m.end} for m in e.mentions],
        "caption_mentions": e.caption_mentions,
        "screening": e.screening,
    }
    if e.place is not None:
        record["place"] = dict(e.place)
    return record
