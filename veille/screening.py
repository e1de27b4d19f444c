"""The ``screen`` stage: people and organisations against the sanctions lists loaded in
the knowledge base (``veille kb load``; OpenSanctions exports, the UN consolidated list).

Every PER and ORG actor, linked or not, is screened under its canonical name and its
longest mention; hits (``KnowledgeBase.screen``: entities with a sanction topic, at the
screening threshold) go to the entity's ``screening`` with the list, the listed name, the
name that matched, the score, the topics and why it matched. With no list loaded the
stage costs nothing.
"""

from __future__ import annotations

from typing import Any

from veille.document import Article
from veille.kb import KnowledgeBase
from veille.kb.session import KnowledgeBaseStage
from veille.linking import SCHEMA_OF, _query_names

__all__ = ["Screener"]

MAX_HITS = 5


class Screener(KnowledgeBaseStage):
    def __init__(self, kb: KnowledgeBase | None = None, kb_path: str | None = None):
        super().__init__(kb, kb_path)
        self._active: bool | None = None

    def __call__(self, article: Article) -> Article:
        if self._active is None:
            self._active = self.kb.has_sanctions()
        if not self._active:
            return article
        for entity in article.entities:
            if entity.type not in ("PER", "ORG"):
                continue
            hits: dict[str, dict[str, Any]] = {}
            for name in _query_names(entity):
                for cand in self.kb.screen(name, schema=SCHEMA_OF[entity.type], limit=MAX_HITS):
                    if cand.id not in hits or cand.score > hits[cand.id]["score"]:
                        hits[cand.id] = {"list": cand.datasets, "id": cand.id, "name": cand.name,
                                         "matched_name": cand.matched_name, "query": name,
                                         "score": round(cand.score, 3), "topics": cand.topics, "why": cand.why}
            entity.screening = sorted(hits.values(), key=lambda h: -h["score"])[:MAX_HITS]
        return article
