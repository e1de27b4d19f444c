"""The ``quotes`` stage: who said what.

*Direct* quotations are found by punctuation, in every language: the pairs of
the body language's ``quotes.toml`` (« », “ ”, „ “, " "), across sentences and
on into a next paragraph that reopens the quote. *Indirect* speech needs a
parse: a reporting verb with a clausal complement ("a déclaré que ...",
"said that ..."), or a source phrase ("selon X", "according to X").

The speaker is the subject of the reporting verb, followed up the tree when
the verb has none (a participle: "cité ..., promettant « ... »"); for passive
verbs of quoting ("Kim a été cité") the passive subject; otherwise the agent.
A pronoun subject is the person named last before it. The words naming the
speaker go to ``speaker_text``; ``speaker`` is the entity named in them, a
person first, or None (a group can speak: "les médias d'État").
Without a parser (degraded languages) the speaker is the nearest person named
beside the quotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from . import languages
from .document import Article, Entity, Quote
from .speakers import People, Reference, content_words
from .text import fold, key

__all__ = ["QuoteFinder"]

_SUBJECTS = ("nsubj", "nsubj:pass", "nsubjpass", "csubj")
_PASSIVE = ("nsubj:pass", "nsubjpass")
_AGENTS = ("obl:agent", "agent")
_CLIMB = ("xcomp", "advcl", "conj", "acl", "parataxis")
_SPEAKER_PREFERENCE = {"PER": 0, "ORG": 1, "GPE": 2, "LOC": 3, "FAC": 3, "MISC": 4}
_WS = " \t\n\u00a0\u202f"
_CLOSING = {"»", "”", '"', "“", "’"}
MIN_QUOTE_WORDS = 4  # shorter quotations need a reporting verb beside them
MAX_SPEAKER_TOKENS = 14


@dataclass
class _Lexicon:
    verbs: set[str]
    passive_speaker_verbs: set[str]
    sources: list[str]
    not_after_source: list[str]
    speaker_nouns: set[str]
    #: pronoun → gender (m, f, or p for plural)
    pronouns: dict[str, str]
    civilities: dict[str, str]
    determiners: set[str]
    complementizers: set[str]
    initial_sources: list[str]
    #: "estim" for "estimer", "conclu" for "conclure": inflected forms the lemmatizer may miss
    stems: set[str]

    @classmethod
    def of(cls, lang: languages.LanguageData) -> _Lexicon:
        q = lang.quotes
        verbs = {key(v) for v in q.get("reporting_verbs", [])}
        return cls(
            verbs=verbs,
            stems={v[:-2] for v in verbs if len(v) > 5 and v[-2:] in ("er", "ir", "re")},
            passive_speaker_verbs={key(v) for v in q.get("passive_speaker_verbs", [])},
            sources=sorted((key(s) for s in q.get("source_phrases", [])), key=len, reverse=True),
            not_after_source=[key(s) for s in q.get("not_after_source", [])],
            speaker_nouns={key(s) for s in q.get("speaker_nouns", [])},
            pronouns={key(p): g for p, g in q.get("pronouns", {}).items()},
            civilities=dict(q.get("civilities", {})),
            determiners={key(d) for d in q.get("definite_determiners", [])},
            complementizers={key(c) for c in q.get("complementizers", [])},
            initial_sources=[key(s) for s in q.get("sentence_initial_sources", [])],
        )

    @cached_property
    def source_patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each source phrase, longest first, with its compiled pattern (compiled once per language)."""
        return [(p, re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)"))
                for p in self.sources + self.initial_sources]

    def is_cue(self, token: Token, texts: list[str]) -> bool:
        """``texts``: the texts of the doc's tokens (one list per doc: neighbours are looked up often)."""
        i = token.i
        listed = key(token.lemma_) in self.verbs or key(token.text) in self.verbs
        inverted = i + 1 < len(texts) and texts[i + 1].startswith("-")
        after_quote = i >= 2 and texts[i - 1] == "," and texts[i - 2] in _CLOSING
        if listed:
            # "estime-t-elle": an inverted pronoun makes it a verb whatever the tagger said
            return token.pos_ in ("VERB", "AUX", "") or inverted or after_quote
        if inverted or after_quote:
            # the cue slot right after a quotation: "», analyse Mme Garnier", "», estime-t-elle"
            word = key(token.text)
            return any(word.startswith(stem) and len(word) - len(stem) <= 3 for stem in self.stems)
        return False


class QuoteFinder:
    def __init__(self) -> None:
        self._lexicons: dict[str, _Lexicon] = {}

    def __call__(self, article: Article) -> Article:
        lang = languages.get(article.language)
        lex = self._lexicons.get(lang.code)
        if lex is None:
            lex = self._lexicons[lang.code] = _Lexicon.of(lang)
        ctx = _Context(article, lex)
        quotes = [q for q in (ctx.direct(s, e) for s, e in _direct_spans(article.text, lang.marks)) if q]
        quotes += ctx.indirect(quotes) if ctx.parsed else ctx.indirect_unparsed(quotes)
        quotes += ctx.sourced(quotes)
        quotes.sort(key=lambda q: (q.start, q.kind != "direct"))
        ctx.resolve_references(quotes)
        article.quotes = quotes
        return article


def _direct_spans(text: str, marks: tuple[tuple[str, str], ...]) -> list[tuple[int, int]]:
    """(start, end) of the words inside each top-level pair of quotation marks."""
    used: set[int] = set()
    spans: list[tuple[int, int]] = []
    for open_mark, close_mark in marks:
        positions = [m.start() for m in re.finditer(f"[{re.escape(open_mark + close_mark)}]", text)
                     if m.start() not in used]
        i = 0
        while i < len(positions):
            start = positions[i]
            if text[start] != open_mark or (open_mark == close_mark and not _opens(text, start)):
                i += 1
                continue
            depth, j, end = 1, i + 1, None
            while j < len(positions):
                p = positions[j]
                if text[p] == close_mark and (open_mark != close_mark or _closes(text, p)):
                    depth -= 1
                    if depth == 0:
                        end = p
                        break
                elif text[p] == open_mark:
                    depth += 1
                j += 1
            if end is None:
                # unclosed: the quotation runs to the end of its paragraph
                para_end = text.find("\n\n", start)
                end = para_end if para_end >= 0 else len(text)
                j = len(positions)
            else:
                used.update((start, end))
            spans.append((start + 1, end))
            i = j + 1
    spans.sort()
    top: list[tuple[int, int]] = []
    for s, e in spans:
        if top and s < top[-1][1]:
            continue  # nested inside the previous quotation
        top.append((s, e))
    return _join_continued(text, top)


def _opens(text: str, i: int) -> bool:
    return i == 0 or not text[i - 1].isalnum()


def _closes(text: str, i: int) -> bool:
    return i + 1 == len(text) or not text[i + 1].isalnum()


def _join_continued(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A quotation left open at a paragraph's end goes on in the next one that opens with a mark."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and text[out[-1][1]:s - 1].strip(_WS) == "" and text[out[-1][1]:out[-1][1] + 2] == "\n\n":
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


class _Context:
    """What attribution needs about one article: its parse, entities and lexicon."""

    def __init__(self, article: Article, lex: _Lexicon):
        self.article = article
        self.text = article.text
        self.lex = lex
        self.doc: Doc | None = article.doc
        self.parsed = self.doc is not None and self.doc.has_annotation("DEP")
        self.texts = [t.text for t in self.doc] if self.doc is not None else []
        self._cues: dict[int, bool] = {}
        self.mentions = sorted(
            ((m.start, m.end, e) for e in article.entities for m in e.mentions), key=lambda t: t[0])
        self.people = self._people()
        #: quotes whose speaker is a pronoun or a description, resolved in text order at the end;
        #: keyed by id() and holding the quote itself, so a discarded candidate's id is never reused
        self.pending: dict[int, tuple[Quote, Reference]] = {}

    def _is_cue(self, token: Token) -> bool:
        """Whether ``token`` is a reporting verb; asked of the same tokens many times, so kept."""
        found = self._cues.get(token.i)
        if found is None:
            found = self._cues[token.i] = self.lex.is_cue(token, self.texts)
        return found

    def _people(self) -> People:
        subjects: set[int] = set()
        sentence_of: dict[int, int] = {}
        if self.doc is not None:
            starts = {t.idx: t for t in self.doc}
            sent_index = {s.start: n for n, s in enumerate(self.doc.sents)}
            for s, e, _ in self.mentions:
                span = self.doc.char_span(s, e, alignment_mode="expand")
                if span is None or s not in starts:
                    continue
                sentence_of[s] = sent_index.get(span.root.sent.start, -1)
                head = span.root
                if head.dep_ in _SUBJECTS or (head.dep_ == "appos" and head.head.dep_ in _SUBJECTS):
                    subjects.add(s)
        noun_starts = None
        if self.doc is not None and self.doc.has_annotation("POS"):
            noun_starts = {t.idx for t in self.doc if t.pos_ in ("DET", "NOUN", "ADJ", "PROPN", "NUM")}
        return People(self.text, self.mentions, self.lex.civilities, subjects, sentence_of, noun_starts)

    def resolve_references(self, quotes: list[Quote]) -> None:
        """Pronoun and description speakers, in text order: earlier speakers are the salient ones."""
        speakers: list[tuple[int, Entity]] = []
        by_id = {e.id: e for e in self.article.entities}
        previous: Quote | None = None
        for quote in quotes:
            if quote.speaker_text is None and previous is not None and self._continues(previous, quote):
                quote.speaker, quote.speaker_text, quote.cue = previous.speaker, previous.speaker_text, previous.cue
                ref = self._reference(previous)
                if ref is not None:
                    self._defer(quote, ref)
            previous = quote if quote.kind == "direct" else previous
            ref = self._reference(quote)
            if ref is not None:
                ent = self.people.resolve(ref, speakers)
                quote.speaker = ent.id if ent else None
            speaker = by_id.get(quote.speaker or "")
            if speaker is not None and speaker.type == "PER":
                speakers.append((quote.end, speaker))

    def _continues(self, previous: Quote, quote: Quote) -> bool:
        """ "“...,” she said. “...”": a quotation right after another, in the same paragraph,
        with only its attribution between, goes on with the same speaker."""
        between = self.text[previous.end:quote.start]
        return quote.kind == "direct" and "\n" not in between and len(between) <= 80

    # -- direct ------------------------------------------------------------------
    def direct(self, start: int, end: int) -> Quote | None:
        s, e = _strip(self.text, start, end)
        if e - s < 2:
            return None
        quote = Quote("direct", self.text[s:e], s, e)
        if self.doc is not None:
            self._attribute_direct(quote, start - 1, end + 1)
        if quote.speaker_text is None and len(quote.text.split()) < MIN_QUOTE_WORDS:
            return None  # a scare quote or a title, not speech
        return quote

    def _attribute_direct(self, quote: Quote, outer_start: int, outer_end: int) -> None:
        sents = self._sentences(outer_start, outer_end)
        outside = [t for s in sents for t in s if not (outer_start <= t.idx < outer_end)]
        if self.parsed:
            cues = [t for t in outside if self._is_cue(t)]
            if not cues and sents and sents[0].start > 0:
                before = self.doc[sents[0].start - 1].sent
                if before.text.rstrip().endswith(":"):
                    cues = [t for t in before if self._is_cue(t)]
            if cues:
                cue = min(cues, key=lambda t: min(abs(t.idx - outer_start), abs(t.idx - outer_end)))
                self._set_speaker(quote, cue, outside=(outer_start, outer_end))
                if quote.speaker_text:
                    return
        source = self._source_in(sents, outer_start, outer_end)
        if source is not None:
            quote.cue, (s, e) = source
            self._set_speaker_span(quote, s, e)
            return
        if self.parsed:
            inserted = self._inserted_cue(outer_start, outer_end)
            if inserted is not None:
                quote.cue = inserted.text
                subject = self.doc[inserted.i + 1]
                if subject.pos_ == "PRON":
                    quote.speaker_text = subject.text
                    self._defer(quote, Reference(
                        subject.idx, self.lex.pronouns.get(_pronoun(subject.text)), inverted=True))
                else:
                    self._set_speaker_span(quote, subject.idx, subject.idx + len(subject))
            return
        self._nearest_person(quote, outside, outer_start, outer_end)

    def _inserted_cue(self, start: int, end: int) -> Token | None:
        """ "« Il a goûté à l'utilité stratégique, conclut-elle. Il ne voudra pas ... »": a reporting
        verb inside the quotation, after a comma, with its subject right after it."""
        assert self.doc is not None
        span = self.doc.char_span(start, end, alignment_mode="contract")
        for t in span or ():
            if self._is_cue(t) and t.i > 0 and self.doc[t.i - 1].text == "," and t.i + 1 < len(self.doc):
                nxt = self.doc[t.i + 1]
                if nxt.pos_ in ("PRON", "PROPN") and (nxt.text.startswith("-") or nxt.pos_ == "PROPN"):
                    return t
        return None

    def _nearest_person(self, quote: Quote, outside: list[Token], q_start: int, q_end: int) -> None:
        """Degraded mode: the person named closest to the quotation in its sentence, after it first."""
        if not outside:
            return
        lo, hi = outside[0].idx, outside[-1].idx + len(outside[-1])
        people = [(s, e, ent) for s, e, ent in self.mentions
                  if lo <= s and e <= hi and not (q_start <= s < q_end) and ent.type == "PER"]
        if not people:
            return
        s, e, ent = min(people, key=lambda m: (m[0] - q_end) if m[0] >= q_end else (q_start - m[1]) + 1000)
        quote.speaker, quote.speaker_text = ent.id, self.text[s:e]
        cue = next((t for t in outside if key(t.text) in self.lex.verbs), None)
        quote.cue = cue.text if cue is not None else None

    # -- indirect ----------------------------------------------------------------
    def indirect(self, found: list[Quote]) -> list[Quote]:
        """Reporting verb + reported clause: "a déclaré que ...", "said (that) ...", "..., officials said"."""
        assert self.doc is not None
        out: list[Quote] = []
        for token in self.doc:
            if not self._is_cue(token) or self._inside(token.idx, found):
                continue
            span = self._reported_clause(token)
            if span is None:
                continue
            s, e = span
            if e - s < 10 or any(q.start - 1 <= s and e <= q.end + 1 for q in found + out):
                continue  # the reported words are a quotation found already (give or take its marks)
            quote = Quote("indirect", self.text[s:e], s, e)
            self._set_speaker(quote, token)
            if quote.speaker_text and self._can_speak(quote):
                out.append(quote)
        return out

    def indirect_unparsed(self, found: list[Quote]) -> list[Quote]:
        """Without a parser: a reporting verb, a comma and a complementizer ("заявил, что ...",
        "sagte, dass ..."); the speaker is the person named closest before the verb."""
        out: list[Quote] = []
        for sent in self._all_sentences():
            for t in sent:
                if key(t.text) not in self.lex.verbs or t.i + 2 >= sent.end:
                    continue
                comma, comp = t.doc[t.i + 1], t.doc[t.i + 2]
                if comma.text != "," or key(comp.text) not in self.lex.complementizers:
                    continue
                s, e = _strip(self.text, comp.idx + len(comp), sent.end_char, punct=True)
                if e - s < 10 or any(q.start <= s < q.end for q in found + out):
                    continue
                people = [(ms, me, ent) for ms, me, ent in self.mentions
                          if sent.start_char <= ms and me <= t.idx and ent.type == "PER"]
                quote = Quote("indirect", self.text[s:e], s, e, cue=t.text)
                if people:
                    ms, me, ent = people[-1]
                    quote.speaker, quote.speaker_text = ent.id, self.text[ms:me]
                out.append(quote)
        return out

    def _reported_clause(self, cue: Token) -> tuple[int, int] | None:
        """Where the reported words are. After the verb they run from the clause's first word to
        the sentence end (the small models' clause trees are too noisy to trust its edges), cut
        before a source phrase; before the verb ("..., officials said") they are the clause."""
        assert self.doc is not None
        sent = cue.sent
        right = [c for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i]
        start = None
        if right:
            words = [t for t in right[0].subtree if not (t.dep_ in ("mark", "punct") and t.i < right[0].i)]
            start = words[0].i if words else None
        else:
            mark = next((t for t in self.doc[cue.i + 1:min(cue.i + 12, sent.end)]
                         if t.dep_ == "mark" and key(t.text) in self.lex.complementizers), None)
            start = mark.i + 1 if mark is not None else None
        if start is not None and start < sent.end:
            s, e = _strip(self.text, self.doc[start].idx, sent.end_char, punct=True)
            cut = self._source_start(s, e)
            e = _strip(self.text, s, cut, punct=True)[1] if cut is not None else e
            return (s, e) if e > s else None
        left = [c for c in cue.children if c.dep_ == "ccomp" and c.i < cue.i]
        if left and self.text[left[0].idx:cue.idx].rstrip().endswith(",") is False:
            words = list(left[0].subtree)
            between = self.text[words[-1].idx + len(words[-1]):cue.idx]
            if "," in between:
                return _strip(self.text, words[0].idx, words[-1].idx + len(words[-1]), punct=True)
        return None

    def _source_start(self, s: int, e: int) -> int | None:
        """Start of a source phrase ("..., according to X") inside [s, e)."""
        folded = fold(self.text[s:e])
        hits = [m.start() for p in self.lex.sources for m in re.finditer(r",\s*" + re.escape(p) + r"(?!\w)", folded)]
        return s + min(hits) if hits else None

    def sourced(self, found: list[Quote]) -> list[Quote]:
        """ "selon X, ..." / "... , according to X": the rest of the sentence, said by X."""
        out: list[Quote] = []
        for sent in self._all_sentences():
            hit = self._source_in([sent], -1, -1)
            if hit is None:
                continue
            cue, (ns, ne) = hit
            s0, e0 = sent.start_char, sent.end_char
            before, after = (s0, self._phrase_start(ns, cue)), (ne, e0)
            s, e = max((_strip(self.text, *before, punct=True), _strip(self.text, *after, punct=True)),
                       key=lambda se: se[1] - se[0])
            inside_other = any(q.start <= s and e <= q.end for q in found + out)
            overlaps_indirect = any(q.kind == "indirect" and q.start < e and s < q.end for q in found + out)
            if e - s < 10 or inside_other or overlaps_indirect:
                continue
            quote = Quote("indirect", self.text[s:e], s, e, cue=cue)
            self._set_speaker_span(quote, ns, ne)
            out.append(quote)
        return out

    def _phrase_start(self, np_start: int, cue: str) -> int:
        folded = fold(self.text[:np_start])
        idx = folded.rfind(fold(cue))
        return idx if idx >= 0 else np_start

    def _source_in(self, sents: list[Span], q_start: int, q_end: int) -> tuple[str, tuple[int, int]] | None:
        """A source phrase outside the quotation, and the (start, end) of the words naming the source."""
        for sent in sents:
            folded = fold(sent.text)
            for phrase, pattern in self.lex.source_patterns:
                initial_only = phrase in self.lex.initial_sources
                for m in pattern.finditer(folded):
                    if initial_only and m.start() > 0:
                        break
                    s = sent.start_char + m.start()
                    if q_start <= s < q_end:
                        continue
                    np_start = sent.start_char + m.end()
                    while np_start < sent.end_char and self.text[np_start] in _WS:
                        np_start += 1
                    rest = key(self.text[np_start:sent.end_char])
                    if any(rest == w or rest.startswith(w + " ") for w in self.lex.not_after_source):
                        continue
                    np_end = self._phrase_end(np_start, sent, at_end=m.start() > len(folded) * 0.5)
                    if np_end - np_start >= 2:
                        return self.text[s:s + len(phrase)], (np_start, np_end)
        return None

    def _phrase_end(self, start: int, sent: Span, at_end: bool) -> int:
        """Where the source's name stops: the sentence end when the phrase closes the sentence
        (an apposition may follow: "selon son conseiller, Yuri Ouchakov"), else the next comma."""
        end = sent.end_char
        if not at_end:
            comma = self.text.find(",", start, end)
            end = comma if comma >= 0 else end
        while end > start and (self.text[end - 1] in _WS or self.text[end - 1] in ".!?,;:»”\""):
            end -= 1
        return end

    # -- speakers ----------------------------------------------------------------
    def _set_speaker(self, quote: Quote, cue: Token, outside: tuple[int, int] = (-1, -1)) -> None:
        """Speaker from the reporting verb ``cue``; the speaker never stands inside ``outside`` (the quotation)."""
        quote.cue = " ".join(t.text for t in sorted([*(c for c in cue.children if c.dep_.startswith("aux")), cue],
                                                    key=lambda t: t.i))
        subject = self._speaker_token(cue)
        if subject is not None and outside[0] <= subject.idx < outside[1]:
            subject = _inverted_subject(cue)
        if subject is None:
            adjacent = self._adjacent_actor(cue)
            if adjacent is not None:
                self._set_speaker_span(quote, *adjacent)
            return
        if subject.pos_ == "PRON":
            word = _pronoun(subject.text)
            if word in self.lex.pronouns:
                quote.speaker_text = subject.text
                self._defer(quote, Reference(
                    subject.idx, self.lex.pronouns[word], inverted=subject.i > cue.i))
            return
        tokens = [t for t in subject.subtree if t.dep_ not in ("acl:relcl", "relcl", "punct") or t.i < subject.i]
        tokens = [t for t in tokens if abs(t.i - subject.i) <= MAX_SPEAKER_TOKENS]
        s = min(t.idx for t in tokens)
        e = max(t.idx + len(t) for t in tokens)
        self._set_speaker_span(quote, s, e)

    def _speaker_token(self, cue: Token) -> Token | None:
        verb: Token | None = cue
        for _ in range(4):
            assert verb is not None
            # the parser sometimes hangs the subject on the auxiliary ("X, a quant à lui estimé")
            auxiliaries = [c for c in verb.children if c.dep_.startswith("aux")]
            deps = {c.dep_: c for a in auxiliaries for c in a.children}
            deps.update({c.dep_: c for c in verb.children})
            # "a-t-il ajouté", "estime-t-elle": the parser tags the inverted pronoun expl or dep
            inverted = next((c for a in [*auxiliaries, verb] for c in a.children
                             if c.text.startswith("-") and _pronoun(c.text) in self.lex.pronouns), None)
            if inverted is not None:
                return inverted
            passive = next((deps[d] for d in _PASSIVE if d in deps), None)
            if passive is not None and not any(d in deps for d in ("aux:pass", "auxpass")):
                return passive  # a parser slip ("a-t-il averti"): no passive auxiliary, so a plain subject
            if passive is not None:
                if key(verb.lemma_) in self.lex.passive_speaker_verbs:
                    return passive
                agent = next((deps[d] for d in _AGENTS if d in deps), None)
                if agent is not None:
                    return next((c for c in agent.children if c.dep_ == "pobj"), agent)
                return None
            subject = next((deps[d] for d in _SUBJECTS if d in deps), None)
            if subject is not None:
                return subject
            if verb.dep_ not in _CLIMB or verb.head is verb:
                break
            if verb.dep_ == "acl" and (verb.head.pos_ == "PROPN" or key(verb.head.lemma_) in self.lex.speaker_nouns):
                return verb.head  # "Kim, promettant ...": the person the participle hangs on
            verb = verb.head if verb.dep_ != "acl" else verb.head.head
        return _inverted_subject(cue)

    def _adjacent_actor(self, cue: Token) -> tuple[int, int] | None:
        """When the parse gives no subject: an actor named just before the verb (auxiliaries and
        adverbs between) or just after it ("a déclaré Blinken")."""
        assert self.doc is not None
        left = cue
        while left.i > 0 and (self.doc[left.i - 1].dep_.startswith("aux") or self.doc[left.i - 1].pos_ in ("ADV", "AUX")):
            left = self.doc[left.i - 1]
        before = [(s, e) for s, e, _ in self.mentions if left.i > 0 and e == self.doc[left.i - 1].idx + len(self.doc[left.i - 1])]
        if before:
            return before[0]
        # within the next three tokens: "», analyse Mme Garnier"
        window = self.doc[cue.i + 1:cue.i + 4]
        after = [(s, e) for s, e, _ in self.mentions if window and window[0].idx <= s <= window[-1].idx]
        return after[0] if after else None

    def _set_speaker_span(self, quote: Quote, s: int, e: int) -> None:
        quote.speaker_text = self.text[s:e]
        inside = [ent for ms, me, ent in self.mentions if s <= ms and me <= e]
        quote.speaker = min(inside, key=lambda ent: _SPEAKER_PREFERENCE.get(ent.type, 5)).id if inside else None
        if inside:
            return
        words = key(quote.speaker_text).split()
        if len(words) == 1 and _pronoun(quote.speaker_text) in self.lex.pronouns:  # "selon lui"
            self._defer(quote, Reference(s, self.lex.pronouns[_pronoun(quote.speaker_text)]))
        elif len(words) >= 2 and (words[0] in self.lex.determiners or words[0].endswith("'")):
            # "la chercheuse", "le chef de la diplomatie russe": a person described earlier
            described = content_words(" ".join(words[1:]))
            if described and described & self.lex.speaker_nouns:
                self._defer(quote, Reference(
                    s, None, described, singular=not words[-1].endswith(("s", "x")) and words[0] != "les"))

    def _defer(self, quote: Quote, ref: Reference) -> None:
        self.pending[id(quote)] = (quote, ref)

    def _reference(self, quote: Quote) -> Reference | None:
        entry = self.pending.get(id(quote))
        return entry[1] if entry is not None and entry[0] is quote else None

    def _can_speak(self, quote: Quote) -> bool:
        """Indirect speech needs a speaker that can speak: an actor, a pronoun, or a noun such as "officials"."""
        if quote.speaker is not None or self._reference(quote) is not None:
            return True
        words = set(key(quote.speaker_text or "").split())
        words |= {w[:-1] for w in words if w.endswith("s")}  # "governments" speaks like "government"
        return bool(words & self.lex.speaker_nouns)

    # -- helpers -----------------------------------------------------------------
    def _sentences(self, start: int, end: int) -> list[Span]:
        assert self.doc is not None
        return [s for s in self.doc.sents if s.start_char < end and start < s.end_char]

    def _all_sentences(self) -> list[Span]:
        return list(self.doc.sents) if self.doc is not None else []

    @staticmethod
    def _inside(pos: int, quotes: list[Quote]) -> bool:
        return any(q.start <= pos < q.end for q in quotes)


def _pronoun(text: str) -> str:
    """ "-t-il" (in "a-t-il averti") and "-elle" are the pronouns "il" and "elle"."""
    words = key(text).split()
    return words[-1] if words else ""


def _inverted_subject(cue: Token) -> Token | None:
    """ "..., a déclaré Blinken": a subject after the verb, which the parser may attach otherwise."""
    return next((t for t in cue.rights if t.pos_ == "PROPN"), None)


def _strip(text: str, start: int, end: int, punct: bool = False) -> tuple[int, int]:
    """Shrink [start, end) past white space (and, with ``punct``, clause punctuation at both ends)."""
    skip = _WS + ",;:" if punct else _WS
    while start < end and text[start] in skip:
        start += 1
    while end > start and text[end - 1] in skip:
        end -= 1
    return start, end
