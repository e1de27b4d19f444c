"""The ``link`` stage: each actor → its entity in the knowledge base (FtM id), or none.

Actors the actor table recognised ("Poutine", "Путин") are the starter knowledge base's
entities by construction (its ids are the table's keys). Other people and organisations
are looked up by name with the knowledge base's blocking index (``KnowledgeBase.search``),
for the entity type the mention has; a candidate from a country the article names gets a
small bonus, and none is taken under the linking threshold: an unknown "Milos Schmidt"
stays unlinked and keeps the canonical name the article gives.
"""

from __future__ import annotations

from veille.document import Article, Entity
from veille.kb.names import LINK_THRESHOLD
from veille.kb.session import KnowledgeBaseStage

__all__ = ["Linker", "SCHEMA_OF", "starter_id"]

#: record entity type → the FtM schema searched for it
SCHEMA_OF = {"PER": "Person", "ORG": "Organization", "GPE": "Territory"}
#: score added to a candidate from a country the article names (a tie-breaker, not a match)
CONTEXT_BONUS = 0.03


def starter_id(actor_key: str) -> str:
    """The starter knowledge base's id of an actor-table key ("country:ru" → "veille-country-ru")."""
    return "veille-" + actor_key.replace(":", "-")


class Linker(KnowledgeBaseStage):

    def __call__(self, article: Article) -> Article:
        countries = _countries(article)
        for entity in article.entities:
            if entity.actor_key:
                ftm_id = starter_id(entity.actor_key)
                if self.kb.get(ftm_id) is not None:
                    entity.ftm_id = ftm_id
                continue
            if entity.type in ("PER", "ORG"):
                self._search(entity, countries)
        return article

    def _search(self, entity: Entity, countries: set[str]) -> None:
        best, best_score = None, 0.0
        for name in _query_names(entity):
            for cand in self.kb.search(name, schema=SCHEMA_OF[entity.type], limit=3,
                                       threshold=LINK_THRESHOLD - CONTEXT_BONUS):
                score = cand.score + (CONTEXT_BONUS if countries & set(cand.countries) else 0.0)
                if score > best_score:
                    best, best_score = cand, score
        if best is not None and best_score >= LINK_THRESHOLD:
            entity.ftm_id = best.id
            entity.kb_id = entity.kb_id or best.qid


def _query_names(entity: Entity) -> list[str]:
    """The canonical name, and the longest mention when it is longer ("Sergueï Lavrov" for "Lavrov")."""
    names = [entity.name]
    longest = max((m.text for m in entity.mentions), key=len, default="")
    if len(longest) > len(entity.name):
        names.append(longest)
    return names


def _countries(article: Article) -> set[str]:
    out = set()
    for e in article.entities:
        place = getattr(e, "place", None)
        if place and place.get("country_code"):
            out.add(place["country_code"].lower())
    return out
