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
        self._propagate(text, groups)
        article.entities = self._entities(groups)
        return article

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
        groups: dict[str, list[Candidate]] = {}
        person_tokens: dict[str, set[str]] = {}  # group → tokens of its multi-word names
        short_people: list[Candidate] = []
        for c in cands:
            if c.actor is not None:
                gk = c.actor.key
            elif c.type == "PER" and len(key(c.text).split()) == 1:
                short_people.append(c)
                continue
            else:
                gk = f"{c.type}:{key(c.text)}"
            groups.setdefault(gk, []).append(c)
            if c.type == "PER":
                person_tokens.setdefault(gk, set()).update(key(c.text).split())
        for c in short_people:
            token = key(c.text)
            owners = [g for g, toks in person_tokens.items() if token in toks]
            if owners:
                # the person named most recently before this mention (or first after it)
                def last_before(g: str, pos: int = c.start) -> int:
                    starts = [m.start for m in groups[g] if m.start < pos]
                    return max(starts) if starts else -1
                gk = max(owners, key=last_before)
            else:
                gk = f"PER:{token}"
                person_tokens.setdefault(gk, set()).add(token)
            groups.setdefault(gk, []).append(c)
        return groups

    @staticmethod
    def _propagate(text: str, groups: dict[str, list[Candidate]]) -> None:
        """Add the recurrences of every recognised name form that no finder caught."""
        owner: dict[str, str | None] = {}
        for gk, cands in groups.items():
            for c in cands:
                if not c.anaphoric:
                    owner[c.text] = gk if owner.get(c.text, gk) == gk else None
        forms = sorted((f for f, g in owner.items() if g is not None and len(f) > 1), key=len, reverse=True)
        if not forms:
            return
        covered = [(c.start, c.end) for cands in groups.values() for c in cands]
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])")
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in covered):
                continue
            gk = owner[m.group()]
            assert gk is not None
            model = groups[gk][0]
            groups[gk].append(Candidate(m.start(), m.end(), m.group(), model.type, model.actor))
            covered.append((m.start(), m.end()))

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
