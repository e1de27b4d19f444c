"""The ``actors`` stage: entity mentions → one entity per actor, with a canonical name.

1. *Find* mentions: spaCy NER (when the language has a model) and the actor
   table's names (always, so a degraded language still gets its actors).
2. *Trim* NER spans of determiners and titles ("le président russe Vladimir
   Poutine" → "Vladimir Poutine"); drop boilerplate words and byline names.
3. *Resolve overlaps*: table matches win over NER spans they overlap, unless
   the NER span is longer and itself names a table actor.
4. *Link* to the table: exact name in any language, or a person's name with a
   typo. Anaphoric names ("le Nord") count only after the actor's full name.
5. *Merge* within the article: linked mentions by actor; "Kim" joins the
   person whose name contains it, nearest before.
6. *Propagate*: a name form once recognised is a mention wherever it recurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import spacy

from . import languages
from .actor_table import Actor, ActorTable, default_table
from .document import Article, Entity, Mention
from .text import key

__all__ = ["ActorFinder", "NER_TYPES"]

#: spaCy NER labels (French and English schemes) → record types; None = not an actor
NER_TYPES = {
    "PER": "PER", "PERSON": "PER", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "FAC",
    "MISC": "MISC", "NORP": None, "EVENT": None, "PRODUCT": None, "WORK_OF_ART": None, "LAW": None,
    "LANGUAGE": None, "DATE": None, "TIME": None, "PERCENT": None, "MONEY": None, "QUANTITY": None,
    "ORDINAL": None, "CARDINAL": None,
}
_TOKEN = re.compile(r"\S+")
_TRAILING = "'’.,;:!?\"«»“”()[] \u00a0"
MAX_MENTION_WORDS = 8
_NAME_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}
_UNCASED_END = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af]")


@dataclass
class Candidate:
    start: int
    end: int
    text: str
    type: str
    actor: Actor | None
    anaphoric: bool = False
    from_table: bool = False


class ActorFinder:
    def __init__(self, table: ActorTable | None = None):
        self.table = table or default_table()

    def __call__(self, article: Article) -> Article:
        lang = languages.get(article.language)
        text = article.text
        table_cands = [Candidate(m.start, m.end, text[m.start:m.end], m.actor.type, m.actor, m.anaphoric, True)
                       for m in self.table.find(text)]
        ner_cands = self._ner(article, lang)
        cands = self._resolve(table_cands, ner_cands)
        cands = self._drop_unanchored_anaphora(cands)
        groups = self._group(cands)
        self._propagate(text, groups, _stop_words(article.language))
        article.entities = self._entities(groups)
        self._captions(article)
        return article

    def _captions(self, article: Article) -> None:
        """Actors the captions name (who is in the picture), by the table's names: to the entity
        the body names already, or to a new entity whose mentions in the body are none."""
        by_key = {e.actor_key: e for e in article.entities if e.actor_key}
        for n, caption in enumerate(article.captions):
            for m in self.table.find(caption):
                if m.anaphoric:
                    continue
                entity = by_key.get(m.actor.key)
                if entity is None:
                    entity = Entity(id=f"e{len(article.entities) + 1}", name=m.actor.name, type=m.actor.type,
                                    kb_id=m.actor.kb_id, actor_key=m.actor.key)
                    article.entities.append(entity)
                    by_key[m.actor.key] = entity
                entity.caption_mentions.append(
                    {"caption": n, "text": caption[m.start:m.end], "start": m.start, "end": m.end})

    # -- finding -----------------------------------------------------------------
    def _ner(self, article: Article, lang: languages.LanguageData) -> list[Candidate]:
        doc = article.doc
        if doc is None or not doc.has_annotation("ENT_IOB"):
            return []
        strip = sorted((key(p) for p in lang.actors.get("strip_prefixes", [])), key=len, reverse=True)
        stop = {key(w) for w in lang.actors.get("not_actors", [])}
        authors = {key(a) for a in article.authors}
        out = []
        for ent in doc.ents:
            kind = NER_TYPES.get(ent.label_, "MISC")
            if kind is None:
                continue
            span = _trim(article.text, ent.start_char, ent.end_char, strip, person=kind == "PER")
            if span is None:
                continue
            start, end = span
            surface = article.text[start:end]
            k = key(surface)
            if k in stop or k in authors or not _plausible(surface):
                continue
            actor = self.table.lookup(surface)
            if actor is None and kind == "PER":
                actor = self.table.lookup_person(surface)
            if kind == "MISC" and actor is None:
                continue  # MISC is mostly nationalities and events: keep it only when it names a known actor
            out.append(Candidate(start, end, surface, actor.type if actor else kind, actor))
        return out

    @staticmethod
    def _resolve(table: list[Candidate], ner: list[Candidate]) -> list[Candidate]:
        """Table matches first; an NER span overlapping one survives only if longer and linked itself."""
        kept = list(table)
        for n in ner:
            overlapping = [t for t in table if t.start < n.end and n.start < t.end]
            if not overlapping:
                kept.append(n)
                continue
            longer = all(n.start <= t.start and t.end <= n.end for t in overlapping) and any(
                (t.end - t.start) < (n.end - n.start) for t in overlapping)
            if longer and n.actor is not None:
                kept = [c for c in kept if c not in overlapping]
                kept.append(n)
        kept.sort(key=lambda c: c.start)
        return kept

    @staticmethod
    def _drop_unanchored_anaphora(cands: list[Candidate]) -> list[Candidate]:
        """"le Nord" is North Korea only once the article has said "Corée du Nord"."""
        named: set[str] = set()
        out = []
        for c in cands:
            if c.actor is not None and not c.anaphoric:
                named.add(c.actor.key)
            if c.anaphoric and (c.actor is None or c.actor.key not in named):
                continue
            out.append(c)
        return out

    # -- merging -----------------------------------------------------------------
    @staticmethod
    def _group(cands: list[Candidate]) -> dict[str, list[Candidate]]:
        """Linked mentions by actor; other mentions by name, longest names first, so that a
        shorter one ("Kim", "Adeyemi", "Thomas-Greenfield") joins the person whose name holds it."""
        groups: dict[str, list[Candidate]] = {}
        person_tokens: dict[str, list[list[str]]] = {}  # group → its people's multi-word names, as words
        for c in sorted(cands, key=lambda c: (-len(key(c.text).split()), c.start)):
            tokens = key(c.text).split()
            if c.actor is not None:
                gk = c.actor.key
            else:
                gk = _person_owner(c, tokens, person_tokens, groups) or f"{c.type}:{key(c.text)}"
            groups.setdefault(gk, []).append(c)
            if c.type == "PER" and len(tokens) >= 2:
                person_tokens.setdefault(gk, []).append(tokens)
        return groups

    def _propagate(self, text: str, groups: dict[str, list[Candidate]], stop_words: frozenset[str]) -> None:
        """Add the recurrences of every recognised name form that no finder caught,
        and of people's surnames ("Adeyemi" after "Ruth Adeyemi")."""
        owner: dict[str, str | None] = {}

        def own(form: str, gk: str) -> None:
            owner[form] = gk if owner.get(form, gk) == gk else None  # a form two actors share is no one's

        for gk, cands in groups.items():
            for c in cands:
                if not c.anaphoric:
                    own(c.text, gk)
                words = c.text.split()
                if c.type == "PER" and len(words) >= 2 and self._is_surname(words[-1], gk, stop_words):
                    own(words[-1], gk)
        forms = sorted((f for f, g in owner.items() if g is not None and len(f) > 1), key=len, reverse=True)
        if not forms:
            return
        covered = [(c.start, c.end) for cands in groups.values() for c in cands]
        # Hangul and CJK names take particles ("지노비예프는"): no word boundary after them
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(
            re.escape(f) + ("" if _UNCASED_END.search(f[-1]) else r"(?![\w-])") for f in forms) + ")")
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in covered):
                continue
            gk = owner[m.group()]
            assert gk is not None
            model = groups[gk][0]
            groups[gk].append(Candidate(m.start(), m.end(), m.group(), model.type, model.actor))
            covered.append((m.start(), m.end()))

    def _is_surname(self, word: str, gk: str, stop_words: frozenset[str]) -> bool:
        if len(word) < 3 or word[0].islower() or word.lower() in stop_words or word.rstrip(".") in _NAME_SUFFIXES:
            return False
        other = self.table.lookup(word)
        return other is None or other.key == gk

    @staticmethod
    def _entities(groups: dict[str, list[Candidate]]) -> list[Entity]:
        ordered = sorted(groups.values(), key=lambda cs: min(c.start for c in cs))
        entities = []
        for n, cands in enumerate(ordered, 1):
            cands.sort(key=lambda c: c.start)
            actor = next((c.actor for c in cands if c.actor is not None), None)
            if actor is not None:
                name, kind = actor.name, actor.type
            else:
                longest = max(cands, key=lambda c: (len(c.text.split()), len(c.text)))
                name, kind = longest.text, longest.type
            seen: set[tuple[int, int]] = set()
            mentions = []
            for c in cands:
                if (c.start, c.end) not in seen:
                    seen.add((c.start, c.end))
                    mentions.append(Mention(c.text, c.start, c.end, "TABLE" if c.from_table else "NER"))
            entities.append(Entity(
                id=f"e{n}", name=name, type=kind, kb_id=actor.kb_id if actor else None,
                mentions=mentions, actor_key=actor.key if actor else None,
            ))
        return entities


def _person_owner(c: Candidate, tokens: list[str], person_tokens: dict[str, list[list[str]]],
                  groups: dict[str, list[Candidate]]) -> str | None:
    """The person group whose names contain this mention's words, the most mentioned one.
    A mention NER typed otherwise joins a person only as a single word ("Adeyemi" tagged GPE)."""
    if not tokens:
        return None
    if c.type != "PER":
        if len(tokens) > 1 or len(tokens[0]) < 3 or c.text.isupper():
            return None  # "UN" is no part of "Kim Jong Un"
        owners = [g for g, names in person_tokens.items() if any(n[-1] == tokens[0] for n in names)]
    else:
        owners = [g for g, names in person_tokens.items()
                  if any(set(tokens) <= set(n) and len(tokens) < len(n) for n in names)]
    if not owners:
        return None

    def salience(g: str) -> tuple[int, bool, int]:
        """The person mentioned most before it, then a known actor, then the last named:
        a bare "Kim" is the Kim the article is about."""
        starts = [m.start for m in groups[g] if m.start < c.start]
        known = any(m.actor is not None for m in groups[g])
        return len(starts), known, max(starts) if starts else -1

    return max(owners, key=salience)


@cache
def _stop_words(language: str | None) -> frozenset[str]:
    """spaCy's stop words of the language: a surname that is also a common word ("Un") is not propagated."""
    try:
        return frozenset(spacy.util.get_lang_class(language or "xx").Defaults.stop_words)
    except (ImportError, KeyError, ValueError):  # no language class for this code in spaCy
        return frozenset()


def _trim(text: str, start: int, end: int, strip: list[str], person: bool) -> tuple[int, int] | None:
    """Shrink [start, end) past leading determiners/titles (and, for people, lower-case words)."""
    while start < end:
        rest = key(text[start:end])
        cut = next((p for p in strip if rest.startswith(p) and (
            p.endswith("'") or len(rest) == len(p) or not rest[len(p)].isalnum())), None)
        token = _TOKEN.match(text, start)
        if cut is not None:
            # skip the prefix's words (and an elided article's apostrophe: "l'ONU")
            start = _skip_words(text, start, end, len(cut.split()), elided=cut.endswith("'"))
        elif person and token and token.group()[:1].islower():
            start = token.end()
        else:
            break
        while start < end and (text[start].isspace() or text[start] in "'’"):
            start += 1
    while end > start:
        if text[end - 2:end] in ("'s", "’s"):
            end -= 2
        elif text[end - 1] in _TRAILING:
            end -= 1
        else:
            break
    return (start, end) if end - start >= 2 else None


def _skip_words(text: str, start: int, end: int, n_words: int, elided: bool) -> int:
    if elided:
        quote = min((i for i in (text.find("'", start, end), text.find("’", start, end)) if i >= 0), default=-1)
        return quote + 1 if quote >= 0 else end
    pos = start
    for _ in range(n_words):
        m = _TOKEN.match(text, pos)
        if not m:
            return end
        pos = m.end()
        while pos < end and text[pos].isspace():
            pos += 1
    return pos


def _plausible(surface: str) -> bool:
    """A name has a capital (in scripts with case), is not a number, and is not a sentence."""
    if len(surface.split()) > MAX_MENTION_WORDS or not any(c.isalpha() for c in surface):
        return False
    cased = [c for c in surface if c.isalpha() and c.lower() != c.upper()]
    return not cased or any(c.isupper() for c in cased)
