"""The knowledge base the pipeline links and screens against, opened once per process.

``knowledge_base(path)`` opens the Veille database at ``path`` (``None``: an in-memory
database) and makes sure the bundled starter knowledge base (countries, international
organisations, office-holders: ``veille/data/kb/starter.ftm.json``) is in it. Lists a user
loaded with ``veille kb load`` (sanctions, PEPs) are in the same database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from veille.kb import KnowledgeBase

__all__ = ["STARTER", "STARTER_DATASET", "STARTER_PROBE", "KnowledgeBaseStage", "knowledge_base"]

STARTER = Path(__file__).resolve().parent.parent / "data" / "kb" / "starter.ftm.json"
STARTER_DATASET = "veille_starter"
#: an entity of the starter knowledge base: when it is there, the starter is loaded
STARTER_PROBE = "veille-country-fr"


@cache
def knowledge_base(path: str | None) -> KnowledgeBase:
    from veille.store import open_store

    store = open_store(path if path is not None else ":memory:")
    kb = store.knowledge_base()
    if kb.get(STARTER_PROBE) is None:  # a cheap look-up, not a scan of a big list
        kb.load_file(STARTER, format="ftm")
    return kb


class KnowledgeBaseStage:
    """A pipeline stage that works with the knowledge base (``link``, ``screen``): given one,
    or the path of its database, opened on first use (so that building a pipeline stays cheap)."""

    def __init__(self, kb: KnowledgeBase | None = None, kb_path: str | None = None):
        self._kb = kb
        self._path = kb_path

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = knowledge_base(self._path)
        return self._kb
