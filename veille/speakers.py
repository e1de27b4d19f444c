"""Who a pronoun or a description stands for, when it names a speaker.

"Il a déclaré", "« ... », estime-t-elle", "selon lui", "relève la chercheuse":
the speaker is a person named earlier. No library here resolves coreference
for French and English with small CPU models, so the rules are written here,
language-neutral, reading pronouns and civilities from ``quotes.toml``:

1. a description ("la chercheuse") is the person described so earlier, in an
   apposition ("Hélène Garnier, chercheuse à l'Ifri") or a title before the
   name ("le chef de l'OTAN, Mark Rutte");
2. a pronoun after a quotation ("..., répond-elle"), or just after another
   quotation ends, is the person being quoted: the latest speaker, if the
   gender agrees;
3. otherwise the subject of the sentence before, then the person named last.

Gender is known only from civilities before a name ("Mme Choe", "Mr Kim");
unknown gender agrees with every pronoun.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .document import Entity
from .text import key

__all__ = ["People", "Reference"]

#: a speaker quoted this close before a pronoun is still "the person being quoted"
SALIENCE_CHARS = 1500
#: ... and one quoted this close before it outranks the subject of the previous sentence
ADJACENT_CHARS = 150
_APPOSITION = re.compile(r"\s*,\s*([^,.;:!?«»“”\"()\n]{3,90})")
_CONTENT_WORD = 4  # description words shorter than this (articles, prepositions) are ignored


@dataclass(frozen=True)
class Reference:
    pos: int
    gender: str | None = None
    #: content words of a description ("chercheuse"); None for a pronoun
    words: frozenset[str] | None = None
    #: the reference follows the quotation ("« ... », estime-t-elle")
    inverted: bool = False
    singular: bool = True


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in key(text).replace("'", " ").split() if len(w) >= _CONTENT_WORD)


class People:
    """The people of one article, with what the text says of them: gender and roles."""

    def __init__(self, text: str, mentions: list[tuple[int, int, Entity]], civilities: dict[str, str],
                 subjects: set[int], sentence_of: dict[int, int], noun_starts: set[int] | None = None):
        """``noun_starts``: offsets where a noun phrase may start (from the tagger); None = anywhere."""
        self.people = [(s, e, ent) for s, e, ent in mentions if ent.type == "PER"]
        self.subjects = subjects  # starts of mentions that are grammatical subjects
        self.sentence_of = sentence_of  # mention start → sentence number
        self.gender: dict[str, str] = {}
        self.roles: dict[str, set[str]] = defaultdict(set)
        folded_civilities = {key(c): g for c, g in civilities.items()}
        for s, e, ent in self.people:
            before = text[max(0, s - 12):s].split()
            if before and key(before[-1]) in folded_civilities:
                self.gender.setdefault(ent.id, folded_civilities[key(before[-1])])
            m = _APPOSITION.match(text, e)
            # "Hélène Garnier, chercheuse à l'Ifri" describes her; "Kim, selon les médias" does not
            if m and (noun_starts is None or m.start(1) in noun_starts):
                self.roles[ent.id] |= content_words(m.group(1))
            head = re.split(r"[.;:!?\n]", text[max(0, s - 90):s])[-1]
            if head.rstrip().endswith(","):
                self.roles[ent.id] |= content_words(head)

    def resolve(self, ref: Reference, speakers: list[tuple[int, Entity]]) -> Entity | None:
        """The person ``ref`` stands for; ``speakers`` are (end, speaker) of earlier quotations."""
        if ref.gender == "p":
            return None  # a group: "ils", "they"
        before = [(s, ent) for s, _, ent in self.people if s < ref.pos and self._agrees(ent, ref.gender)]
        if ref.words is not None:
            if not ref.singular:
                return None  # "les responsables", "the officials": a group, not one person
            described = [(s, ent) for s, ent in before if ref.words <= self.roles.get(ent.id, set())]
            # a description names a person only if the text described someone so ("the ministry" is no one)
            return max(described, key=lambda t: t[0])[1] if described else None
        recent = [(end, ent) for end, ent in speakers
                  if ref.pos - end <= SALIENCE_CHARS and self._agrees(ent, ref.gender)]
        if recent and (ref.inverted or self._adjacent(recent[-1], ref.pos)):
            return recent[-1][1]  # the person being quoted goes on speaking
        subject = self._previous_subject(ref, before)
        if subject is not None:
            return subject
        if recent:
            return recent[-1][1]
        return max(before, key=lambda t: t[0])[1] if before else None

    def _adjacent(self, speaker: tuple[int, Entity], pos: int) -> bool:
        """The speaker's quotation ended just before ``pos``, and nobody else was named since."""
        end, ent = speaker
        others = [o for s, _, o in self.people if end <= s < pos and o.id != ent.id]
        return pos - end <= ADJACENT_CHARS and not others

    def _previous_subject(self, ref: Reference, before: list[tuple[int, Entity]]) -> Entity | None:
        """The last person who was a subject in the reference's sentence or the one before."""
        if not before:
            return None
        last_start, _ = max(before, key=lambda t: t[0])
        here = self.sentence_of.get(last_start, -1)
        candidates = [(s, ent) for s, ent in before if s in self.subjects and self.sentence_of.get(s, -9) >= here - 1]
        return max(candidates, key=lambda t: t[0])[1] if candidates else None

    def _agrees(self, ent: Entity, gender: str | None) -> bool:
        known = self.gender.get(ent.id)
        return gender is None or known is None or known == gender
