"""The ``events`` stage: who did what to whom, coded in PLOVER, with the modality the text
gives each event, who claims it, its date, place and evidence sentence.

1. *Triggers*: a verb or noun whose lemma is in the language's event lexicon
   (``languages/<code>/events.toml``) gives the PLOVER type.
2. *Arguments* from the dependency parse, normalised across annotation schemes (French
   UD, English ClearNLP) into roles: ``subj``, ``obj``, ``iobj``, ``agent``, ``poss``,
   ``adj`` and prepositions. Passives swap subject and agent; a verb without a subject
   takes its controller's (the object of "accuser X de fournir", the subject of "a promis
   de soutenir"); a noun takes the subject of the verb it is the object of ("a promis son
   soutien"), or is suffered by it ("est soumise à des sanctions").
3. *Actors*: the actors stage's entities under each role, with appositions ("le chef de
   l'OTAN, Jens Stoltenberg"), nationality adjectives ("les responsables américains" →
   United States, from ``demonyms.toml``), capitals standing for their country
   ("Moscou cherche", "à Pyongyang" stays a place), relative and personal pronouns.
4. *Modality*: negation and mood of the trigger itself, then the cue words governing it
   (possible, planned, pledged, alleged, denied), then the quotation it stands in.
   An accusation yields the ACCUSE event and the accused act, alleged by the accusers; a
   later denial of "the accusations" marks that act ``denied_by`` the deniers.
5. *Discourse*: an event with no actors borrows those of the event noun it happens during
   ("signés au cours de la visite"), and a definite event noun refers back to the last
   event of its type; a transfer with no recipient takes the recipient of the transfer
   just before ("L'Iran a fourni des armes" after "... fournit des munitions à la Russie").

Precision comes first: an event is kept only with the actors its entry needs, and the
same actor is never both source and target. Without a dependency parse (degraded
languages) the stage finds no events rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from spacy.tokens import Doc, Span, Token

from . import languages
from .actor_table import ActorTable, default_table
from .dates import DateExpression, find_dates, normalise
from .document import Article, Entity
from .event_lexicon import CAMEO_ROOTS, Entry, EventLexicon
from .places import PlaceResolver
from .text import key

__all__ = ["EventFinder", "event_line"]

_SUBJ = {"nsubj", "csubj"}
_PASS_SUBJ = {"nsubj:pass", "nsubjpass", "csubj:pass", "csubjpass"}
_OBJ = {"obj", "dobj"}
_PASSIVE_AUX = {"aux:pass", "auxpass"}
#: relations through which a governing word's modality reaches what it governs
_COMPLEMENT = {"xcomp", "ccomp", "obj", "dobj", "pcomp", "pobj", "prep", "acl", "nmod", "obl:arg", "conj", "iobj"}
_NAME_DEPS = {"appos", "flat", "flat:name", "compound", "nmod", "nn"}
_ADJ_DEPS = {"amod", "nmod", "compound", "acl"}
_PLACE_TYPES = {"GPE", "LOC", "FAC"}
_POSSESSIVE_DEPS = {"poss", "nmod:poss"}
MAX_LOOKBACK_SENTENCES = 3
MAX_DEPTH = 4
#: types whose unnamed target is the country of the place where they happen
_PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "RETREAT"}


@dataclass
class Event:
    type: str
    trigger: Token
    entry: Entry
    sentence: Span
    source: list[Entity] = field(default_factory=list)
    target: list[Entity] = field(default_factory=list)
    location: Entity | None = None
    date: str | None = None
    date_text: str | None = None
    modality: str = "asserted"
    attributed_to: list[Entity] = field(default_factory=list)
    denied_by: list[Entity] = field(default_factory=list)
    mode: str | None = None
    #: an event noun whose actors come from the event it refers back to ("la visite")
    anchor_only: bool = False
    #: a denial of earlier accusations ("Tous deux nient les accusations")
    denial: bool = False

    def record(self, text: str) -> dict[str, Any]:
        s = self.sentence
        end = s.end_char
        while end > s.start_char and text[end - 1].isspace():
            end -= 1
        return {
            "type": self.type, "mode": self.mode,
            "source": [e.id for e in self.source], "target": [e.id for e in self.target],
            "location": self.location.id if self.location else None,
            "date": self.date, "date_text": self.date_text,
            "modality": self.modality,
            "attributed_to": [e.id for e in self.attributed_to],
            "sentence": text[s.start_char:end], "start": s.start_char, "end": end,
            "trigger": {"text": self.trigger.text, "start": self.trigger.idx,
                        "end": self.trigger.idx + len(self.trigger.text)},
            "cameo": self.entry.cameo or CAMEO_ROOTS[self.type],
            "symmetric": self.entry.reciprocal,
            "denied_by": [e.id for e in self.denied_by],
        }


class EventFinder:
    def __init__(self, table: ActorTable | None = None, places: PlaceResolver | None = None):
        self.table = table or default_table()
        self.places = places or PlaceResolver(self.table)

    def __call__(self, article: Article) -> Article:
        lex = EventLexicon.of(article.language)
        doc = article.doc
        if lex.empty or doc is None or not doc.has_annotation("DEP"):
            article.events = []
            return article
        known = len(article.entities)
        events = _Analysis(article, lex, self.table).events()
        article.events = [dict(e.record(article.text), id=f"v{n}") for n, e in enumerate(events, 1)]
        if len(article.entities) > known:  # countries named only by an adjective ("le veto russe")
            self.places.resolve(article, article.entities[known:])
        return article


class _Analysis:
    """The events of one article."""

    def __init__(self, article: Article, lex: EventLexicon, table: ActorTable):
        self.article = article
        self.lex = lex
        self.table = table
        self.doc: Doc = article.doc
        self.ent_of: dict[int, Entity] = {}
        for ent in article.entities:
            for m in ent.mentions:
                span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is not None:
                    for t in span:
                        self.ent_of.setdefault(t.i, ent)
        self.by_key = {e.actor_key: e for e in article.entities if e.actor_key}
        self.quotes = [(q, self._entity(q.speaker)) for q in article.quotes]
        self.dates: dict[int, list[DateExpression]] = {}
        self.sents: list[Span] = list(self.doc.sents)
        self.sent_of = [0] * len(self.doc)
        for n, sent in enumerate(self.sents):
            self.sent_of[sent.start:sent.end] = [n] * (sent.end - sent.start)
        self.date_ents = [e for e in self.doc.ents if e.label_ == "DATE"]
        self.time_words = {key(w) for kind in ("weekdays", "months") for w in lex.date_words.get(kind, ())}
        self.complementizers = {key(w) for w in languages.get(article.language).quotes.get("complementizers", [])}
        self.reporting_verbs = {key(v) for v in languages.get(article.language).quotes.get("reporting_verbs", [])}

    # -- the whole article ---------------------------------------------------------
    def events(self) -> list[Event]:
        found: list[Event] = []
        for t in self.doc:
            entry = self._entry(t)
            if entry is None:
                continue
            event = self._event(t, entry)
            if event is not None:
                found.append(event)
        found = self._merge_light_verbs(found)
        self._discourse(found)
        kept = [e for e in found if not e.anchor_only and self._complete(e)]
        return _dedupe(kept)

    def _entry(self, t: Token) -> Entry | None:
        pos = t.pos_
        if pos == "ADJ" and any(c.dep_.startswith("aux") for c in t.children):
            pos = "VERB"  # a participle the tagger took for an adjective: "a gelé les avoirs"
        if pos == "VERB":
            lemma = key(t.lemma_)
            entry = None
            if lemma in self.lex.verb_heads:  # "vote against", "pull back", "mettre fin", "hold talks"
                for word in self._verb_companions(t):
                    entry = self.lex.verbs.get(f"{lemma} {word}")
                    if entry is not None:
                        break
            if entry is None and f"se {lemma}" in self.lex.verbs and any(
                    c.dep_.startswith("expl") or c.morph.get("Reflex") == ["Yes"] for c in t.children):
                entry = self.lex.verbs.get(f"se {lemma}")  # "se retirer", "se rendre"
            entry = entry or self.lex.verbs.get(lemma)
        elif pos in ("NOUN", "PROPN"):
            entry = self.lex.nouns.get(key(t.lemma_)) or self.lex.nouns.get(key(t.text))
        else:
            return None
        if entry is None or (entry.objects and not self._object_in(t, entry.objects)):
            return None
        return entry

    def _verb_companions(self, verb: Token) -> list[str]:
        """Words that make a multi-word verb with ``verb``: its particle, the preposition of
        its complement, its object noun."""
        words = []
        for c in verb.children:
            if c.dep_ in ("prt", "compound:prt", "prep", "advmod") and c.i > verb.i:
                words.append(key(c.text))
            elif c.dep_ in _OBJ:
                words.append(key(c.lemma_))
            elif c.dep_.startswith("obl"):
                case = self._case(c)
                if case:
                    words.append(case)
        obj = self._direct_object(verb)
        if obj is not None and key(obj.lemma_) not in words:
            words.append(key(obj.lemma_))
        return words

    def _object_in(self, t: Token, objects: frozenset[str]) -> bool:
        obj = self._direct_object(t)
        if obj is None:
            return False
        if "@actor" in objects and self._actors(obj):  # "received Putin", "a reçu la délégation russe"
            return True
        # the object itself, or what it measures: "des tonnes de déchets", "dozens of missiles"
        words = [obj, *(g for c in obj.children if c.dep_ in ("nmod", "prep")
                        for g in ([c] if c.dep_ == "nmod" else [x for x in c.children if x.dep_ == "pobj"]))]
        return any(key(w.lemma_) in objects or key(w.text) in objects for w in words)

    def _direct_object(self, verb: Token) -> Token | None:
        """The verb's object; when the parser lost it, the first noun after the verb in its clause."""
        for c in verb.children:
            if c.dep_ in _OBJ or (c.dep_ in _PASS_SUBJ and self._passive(verb)):
                return c
        for t in verb.doc[verb.i + 1: min(verb.i + 6, self._sent(verb).end)]:
            if t.dep_ in ("obl:mod", "npadvmod") or key(t.text) in self.time_words:
                continue  # "a promis mercredi son soutien"
            if t.pos_ in ("NOUN", "PROPN"):
                return t if not any(a.dep_ == "case" or a.dep_ == "prep" for a in t.children) and \
                    t.head.dep_ != "prep" else None
            if t.pos_ in ("VERB", "ADP", "PUNCT", "SCONJ", "CCONJ"):
                return None
        return None

    # -- one event -------------------------------------------------------------------
    def _event(self, t: Token, entry: Entry) -> Event | None:
        if entry.pos == "noun" and self.lex.joint and any(
                c.dep_ in ("amod", "nmod", "compound") and key(c.text) in self.lex.joint["adjectives"]
                for c in t.children):
            # "joint exercises", "patrouilles conjointes": done together, so cooperation
            entry = replace(entry, type="COOPERATE", reciprocal=True, needs="target", cameo=None,
                            source=(*self.lex.joint["roles"], *entry.source),
                            target=(*self.lex.joint["roles"], *entry.target))
        event = Event(entry.type, t, entry, self._sent(t))
        roles = self._roles(t, entry)
        event.source = self._first_actors(roles, entry.source)
        event.target = self._first_actors(roles, entry.target)
        if entry.pos == "noun":
            self._nominal_actors(event)
        if entry.reciprocal and not event.target and len(event.source) > 1:
            event.source, event.target = event.source[:1], event.source[1:]
        event.location = self._location(t, roles, event)
        event.target = self._places_to_countries(event, event.target)
        event.source = self._with_states(event.source)
        event.target = self._with_states(event.target)
        event.target = [e for e in event.target if e not in event.source]
        if not event.source and not event.target:
            event.anchor_only = entry.pos == "noun" and self._definite(t)
            if not event.anchor_only and entry.pos == "noun":
                return None
        modality = self._modality(t)
        if modality is None:  # the content of a request or threat, not an event of its own
            return None
        event.modality, event.attributed_to = modality
        event.location = event.location or self._location(t, roles, event)
        if not event.target and event.location is not None and entry.type in _PLACE_TARGET_TYPES:
            # "une frappe a tué deux personnes près de Nabatiyé": struck in Lebanon
            country = self._country_of(event.location)
            if country is not None and country not in event.source and not any(
                    self._country_of(x) is country for x in event.source):
                event.target = [country]
        event.date_text, event.date = self._date(t, planned=event.modality in ("planned", "pledged"))
        event.mode = entry.mode or self._mode(t)
        for q, speaker in self.quotes:
            if q.start <= t.idx < q.end and speaker is not None and speaker not in event.attributed_to:
                event.attributed_to.append(speaker)
                if event.modality == "asserted" and q.cue and key(q.cue) in self.lex.phrases["alleged_sources"]:
                    event.modality = "alleged"
        if entry.type == "REJECT" and self._denies_accusations(t):
            event.anchor_only = False
            event.denial = True
        return event

    def _complete(self, e: Event) -> bool:
        if e.denial:  # "a charge Iran denies": the accusers may be unnamed
            return bool(e.source)
        needs = e.entry.needs
        if e.entry.pos == "verb" and needs != "actor" and not e.source and not self._passive(e.trigger):
            return False  # "des pays qui peuvent lui fournir": who acts is not said
        if needs == "actor":
            return bool(e.source or e.target)
        if needs == "both":
            return bool(e.source and e.target)
        return bool(e.target)

    # -- roles -----------------------------------------------------------------------
    def _roles(self, t: Token, entry: Entry) -> dict[str, list[Token]]:
        """Role → the heads of the phrases filling it, for a verb or an event noun."""
        roles: dict[str, list[Token]] = {}

        def add(role: str, tok: Token) -> None:
            roles.setdefault(role, []).append(tok)

        passive = entry.pos == "verb" and self._passive(t)
        for c in _dependents(t):
            d = c.dep_
            if d in _SUBJ:
                add("subj", c)
            elif d in _PASS_SUBJ:
                add("obj" if passive else "subj", c)
            elif d in _OBJ:
                add("obj", c)
            elif d == "dative":
                if c.pos_ == "ADP":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            add(key(c.text), g)
                else:
                    add("iobj", c)
            elif d == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        add("agent", g)
            elif d == "obl:agent":
                add("agent", c)
            elif d == "prep":
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        add(key(c.text), g)
            elif d in _POSSESSIVE_DEPS or (d == "det" and c.morph.get("Poss") == ["Yes"]):
                add("poss", c)
            elif d in _ADJ_DEPS and c.pos_ in ("ADJ", "PROPN", "NOUN", "VERB") and entry.pos == "noun":
                prep = self._case(c)
                if prep:
                    add(prep, c)
                elif not any(g.dep_ in ("case", "prep") for g in c.children):
                    add("adj", c)
            elif d.startswith(("obl", "nmod", "iobj")):
                prep = self._case(c)
                add(prep or ("iobj" if d.startswith("iobj") else "obl"), c)
        for c in t.children:  # "s'est retirée dimanche de trois villages": hung on the date
            if c.dep_ in ("obl:mod", "npadvmod", "obl") and key(c.text) in self.time_words:
                for g in c.children:
                    prep = self._case(g) if g.dep_.startswith("nmod") else None
                    if prep:
                        add(prep, g)
        obj = self._direct_object(t) if entry.pos == "verb" else None
        if obj is not None:  # "fournit des munitions à la Russie": the parser hangs "à" on the object
            below = [*obj.children, *(g for c in obj.children if c.dep_.startswith("nmod") for g in c.children)]
            for c in below:
                prep = self._case(c) if c.dep_.startswith(("nmod", "obl")) else (
                    key(c.text) if c.dep_ == "prep" else None)
                heads = [g for g in c.children if g.dep_ == "pobj"] if c.dep_ == "prep" else [c]
                if prep:
                    for g in heads:
                        add(prep, g)
        if passive:
            roles["subj"] = roles.pop("agent", [])
        if entry.pos == "verb" and "obj" not in roles:
            obj = self._direct_object(t)  # the parser's misses: "a critiqué Washington" tagged xcomp
            if obj is not None:
                roles["obj"] = [obj]
        if entry.pos == "verb" and "subj" not in roles:
            controller = self._controller(t) or self._linear_subject(t)
            if controller:
                roles["subj"] = controller
        # arguments follow their verb: a phrase fronted before the subject ("Aux côtés de la
        # Chine, la Russie a fourni ...") is an adjunct, not a target
        subjects = [c.i for c in _dependents(t) if c.dep_ in _SUBJ | _PASS_SUBJ and c.i < t.i]
        first_subject = min(subjects, default=t.i)
        for role, toks in roles.items():
            if role != "subj" and entry.pos == "verb":
                toks[:] = [tok for tok in toks if tok.i > first_subject or tok.dep_ in _SUBJ | _PASS_SUBJ]
            toks.sort(key=lambda tok: tok.i if role == "subj" else (tok.i < t.i, abs(tok.i - t.i)))
        for role in list(roles):
            if role in self.lex.genitive:
                roles.setdefault("genitive", []).extend(roles[role])
        return roles

    def _case(self, tok: Token) -> str | None:
        words = [c for c in tok.children if c.dep_ in ("case", "fixed") and c.i < tok.i]
        if not words:
            return None
        prep = " ".join(key(w.lemma_ if w.pos_ == "ADP" else w.text) for w in sorted(words, key=lambda w: w.i))
        return self.lex.prepositions.get(prep, prep)

    def _controller(self, verb: Token) -> list[Token] | None:
        """The subject of a verb that has none of its own: its controller's (infinitives,
        participles, coordinated verbs), the object for verbs of object control."""
        t = verb
        for _ in range(4):
            if t.dep_ not in ("xcomp", "conj", "advcl", "pcomp", "ccomp") and not (
                    t.dep_ == "acl" and t.head.pos_ == "VERB"):
                return None
            g = t.head
            if g.dep_ == "prep":  # English "accused X of supplying": supplying → of → accused
                g = g.head
            if t.dep_ == "ccomp" and not any(c.dep_ == "mark" for c in t.children):
                return None
            objects = [c for c in g.children if c.dep_ in _OBJ]
            if objects and t.dep_ != "conj" and self.lex.cue("object_control", g.lemma_):
                return objects
            subjects = [c for c in _dependents(g) if c.dep_ in _SUBJ or (c.dep_ in _PASS_SUBJ and not self._passive(g))]
            if subjects:
                return subjects
            t = g
        return None

    def _linear_subject(self, verb: Token) -> list[Token] | None:
        """When the parse lost the subject ("Emmanuel Macron et Xi Jinping se sont entretenus"
        parsed with the names as root), the names that stand right before the verb: a plain
        noun phrase, with no other verb or preposition between."""
        names: list[Token] = []
        for t in reversed(verb.doc[self._sent(verb).start:verb.i]):
            if t.pos_ in ("AUX", "ADV", "PART") or (t.pos_ == "PRON" and t.dep_.startswith("expl")):
                if names:
                    return None  # "X a ..., Y se sont ..." is no plain subject
                continue
            if t.pos_ in ("PROPN", "NOUN", "DET", "ADJ", "CCONJ", "X", "NUM") or t.text == ",":
                names.append(t)
                continue
            break
        found = [t for t in names if t.i in self.ent_of and self.ent_of[t.i].type in ("PER", "ORG", "GPE")]
        if not found or any(t.pos_ == "ADP" for t in names):
            return None
        heads: list[Token] = []
        seen: set[str] = set()
        for t in sorted(found, key=lambda t: t.i):
            if self.ent_of[t.i].id not in seen:
                seen.add(self.ent_of[t.i].id)
                heads.append(t)
        return heads

    def _first_actors(self, roles: dict[str, list[Token]], wanted: tuple[str, ...]) -> list[Entity]:
        for role in wanted:
            found: list[Entity] = []
            for tok in roles.get(role, []):
                found += [e for e in self._actors(tok) if e not in found]
                if found and role != "subj":
                    return found
            if found:  # several subject heads when the parse lost the coordination
                return found
        return []

    def _nominal_actors(self, event: Event) -> None:
        """Actors an event noun takes from its verb: "a promis son soutien" (source), "est soumise
        à des sanctions" (target)."""
        noun = event.trigger
        verb = self._governing_verb(noun)
        if verb is None:
            return
        subjects = self._subjects(verb)
        subj = [e for s in subjects for e in self._actors(s)]
        if not subj:
            return
        patient = self.lex.cue("patient_verbs", verb.lemma_)
        if patient and not event.target:
            event.target = subj
        elif event.entry.reciprocal and event.target and not event.source:
            event.source = [e for e in subj if e not in event.target]  # "après une réunion avec X, Blinken a dit"
        elif not patient and not event.source and self._is_object_of(noun, verb):
            event.source = subj

    def _subjects(self, verb: Token) -> list[Token]:
        found = [c for c in _dependents(verb) if c.dep_ in _SUBJ | _PASS_SUBJ] or self._controller(verb) or []
        if not found and key(verb.lemma_) in self.reporting_verbs:
            # "..., a déclaré Blinken": the parser takes the inverted subject for an object
            found = [c for c in verb.children if c.dep_ in _OBJ and c.i > verb.i and c.i in self.ent_of][:1]
        return found

    def _governing_verb(self, noun: Token) -> Token | None:
        t = noun
        for _ in range(3):
            if t.head == t:
                return None
            t = t.head
            if t.pos_ in ("VERB", "AUX"):
                return t
        return None

    def _is_object_of(self, noun: Token, verb: Token) -> bool:
        if self._direct_object(verb) == noun:
            return True
        t = noun
        while t != verb and t.head != t:
            if t.dep_ in _SUBJ | _PASS_SUBJ or t.dep_.startswith("obl:mod") or t.dep_ in ("advmod", "npadvmod"):
                return False
            if t.dep_ in _OBJ or t.dep_ in ("obl:arg", "xcomp"):
                return t.head == verb
            t = t.head
        return False

    # -- actors ----------------------------------------------------------------------
    def _actors(self, tok: Token, depth: int = 0) -> list[Entity]:
        """The actors a phrase headed by ``tok`` names, with the phrases coordinated to it."""
        if depth > MAX_DEPTH:  # a parse can be cyclic through pronouns: look no further
            return []
        out = self._actor(tok, depth)
        for c in tok.children:
            if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN", "PRON", "ADJ"):
                out += [e for e in self._actors(c, depth + 1) if e not in out]
        return out

    def _actor(self, tok: Token, depth: int) -> list[Entity]:
        ent = self.ent_of.get(tok.i)
        if ent is not None and not ent.actor_key and self._demonym(tok) is not None:
            ent = None  # "Les Européens accusent": the model's entity is a demonym
        if ent is not None:
            return [self._government(ent)]
        if tok.pos_ == "PRON" or (tok.pos_ == "DET" and tok.morph.get("Poss") == ["Yes"]):
            return self._pronoun(tok, depth)
        for c in tok.children:  # a name in apposition: "le chef de l'OTAN, Jens Stoltenberg"
            if c.dep_ in _NAME_DEPS and c.dep_ != "nmod" and c.i in self.ent_of:
                return self._actors(c, depth + 1)
        demonyms = self._demonyms(tok)
        if not demonyms and tok.pos_ == "NOUN":
            trailing = self._trailing_demonym(tok)
            demonyms = [trailing] if trailing is not None else []
        if demonyms:
            return demonyms
        if depth < 2:
            for c in tok.children:  # "le chef de l'OTAN", "la guerre menée par la Russie"
                if c.dep_ in ("nmod", "prep", "acl", "obl:agent", "agent", "pobj", "nmod:poss", "poss") and c.i != tok.i:
                    inner = [g for g in c.children if g.dep_ == "pobj"] if c.dep_ in ("prep", "agent") else [c]
                    for g in inner:
                        if c.dep_ == "acl":  # "la guerre menée par la Russie", "les efforts continus de Kim"
                            agents = [a for a in g.children if a.dep_ in ("obl:agent", "agent") or (
                                a.dep_.startswith(("obl", "nmod")) and self._case(a) in self.lex.genitive)]
                            found = [e for a in agents for e in self._actors(a, depth + 1)]
                        else:
                            found = self._actors(g, depth + 1)
                        if found:
                            return found
        return []

    def _demonyms(self, tok: Token) -> list[Entity]:
        out: list[Entity] = []
        own = self._demonym(tok)
        if own is not None:
            return [own]
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "nmod", "conj") or (c.dep_ == "acl" and c.pos_ == "VERB"):
                for a in [c, *(g for g in c.children if g.dep_ == "conj")]:
                    e = self._demonym(a)
                    if e is not None and e not in out:
                        out.append(e)
        return out

    def _trailing_demonym(self, tok: Token) -> Entity | None:
        """The parse lost an adjective after its noun ("un bateau de pêche sud-coréen"): a
        nationality adjective among the next words of the noun phrase."""
        doc = tok.doc
        for t in doc[tok.i + 1: min(tok.i + 5, len(doc))]:
            if t.pos_ == "ADJ" or (t.pos_ == "VERB" and t.dep_ in ("amod", "acl")):
                found = self._demonym(t)
                if found is not None:
                    return found
                continue
            if t.pos_ in ("NOUN", "DET") or (t.pos_ == "ADP" and key(t.text) in self.lex.genitive):
                continue
            return None
        return None

    def _demonym(self, tok: Token) -> Entity | None:
        actor_key = None
        if tok.i > 0:  # "North Korean", "South Sudanese": the two-word form first
            actor_key = self.lex.demonyms.get(key(f"{tok.doc[tok.i - 1].text} {tok.text}"))
        actor_key = actor_key or self.lex.demonyms.get(key(tok.text)) or self.lex.demonyms.get(key(tok.lemma_))
        return self._entity_for_key(actor_key) if actor_key else None

    def _entity_for_key(self, actor_key: str) -> Entity | None:
        ent = self.by_key.get(actor_key)
        if ent is not None:
            return ent
        actor = self.table.get(actor_key)
        if actor is None:
            return None
        ent = Entity(id=f"e{len(self.article.entities) + 1}", name=actor.name, type=actor.type,
                     kb_id=actor.kb_id, actor_key=actor.key)
        self.article.entities.append(ent)
        self.by_key[actor_key] = ent
        return ent

    def _places_to_countries(self, event: Event, ents: list[Entity]) -> list[Entity]:
        """A place acted upon stands for its country, and is where it happened: "struck a
        refinery in Samara" → Russia, at Samara."""
        out = []
        for ent in ents:
            country = self._country_of(ent) if ent.type in _PLACE_TYPES else None
            if country is None or country is ent:
                if ent.type in ("LOC", "FAC"):
                    continue  # a place with no known country is no actor
                out.append(ent)
                continue
            event.location = event.location or ent
            if country not in out:
                out.append(country)
        return out

    def _country_of(self, ent: Entity) -> Entity | None:
        actor = self.table.get(ent.actor_key) if ent.actor_key else None
        if actor is not None and actor.key.startswith("country:"):
            return ent
        code = actor.country if actor is not None else None
        place = getattr(ent, "place", None)
        if code is None and place:
            code = (place.get("country_code") or "").lower() or None
            if place.get("feature") == "country":
                return ent
        return self._entity_for_key(f"country:{code}") if code else None

    def _with_states(self, ents: list[Entity]) -> list[Entity]:
        """A state body acts for its state: "the Chinese foreign ministry" → also China, after it."""
        out = list(ents)
        for ent in ents:
            if ent.type != "ORG" or not (self._names(ent) & self.lex.state_bodies or any(
                    w in self.lex.state_bodies for n in self._names(ent) for w in n.split())):
                continue
            country = self._state_named_in(ent)
            if country is not None and country not in out:
                out.append(country)
        return out

    def _names(self, ent: Entity) -> set[str]:
        return {key(ent.name), *(key(m.text) for m in ent.mentions)}

    def _state_named_in(self, ent: Entity) -> Entity | None:
        actor = self.table.get(ent.actor_key) if ent.actor_key else None
        if actor is not None and actor.country:
            return self._entity_for_key(f"country:{actor.country}")
        for name in [ent.name, *(m.text for m in ent.mentions)]:
            words = key(name).split()
            for i in range(len(words)):
                for j in (2, 1):
                    actor_key = self.lex.demonyms.get(" ".join(words[i:i + j]))
                    if actor_key:
                        return self._entity_for_key(actor_key)
            for m in self.table.find(name):
                if m.actor.key.startswith("country:"):
                    return self._entity_for_key(m.actor.key)
        return None

    def _government(self, ent: Entity) -> Entity:
        """A capital acting stands for its country's government: "Moscou cherche" → Russia."""
        if ent.type not in ("GPE", "LOC"):
            return ent
        city = self.table.get(ent.actor_key) if ent.actor_key else None
        place = getattr(ent, "place", None) or {}
        if city is not None and city.key.startswith("city:") and city.country:
            code, name = city.country, city.name
        elif city is None and place.get("feature") == "city" and place.get("country_code"):
            code, name = place["country_code"].lower(), place.get("name") or ""  # unlinked, from the gazetteer
        else:
            return ent
        country = self.table.get(f"country:{code}")
        if country is None or not country.capital or key(country.capital.split(",")[0]) != key(name):
            return ent
        return self._entity_for_key(country.key) or ent

    def _pronoun(self, tok: Token, depth: int) -> list[Entity]:
        if tok.morph.get("PronType") == ["Rel"] or tok.tag_ in ("WDT", "WP"):
            head = tok.head.head if tok.head.dep_ in ("acl:relcl", "relcl") else None
            return self._actors(head, depth + 1) if head is not None else []
        if key(tok.text) in self.lex.cues.get("group_subjects", frozenset()):
            return []
        if tok.dep_ in _POSSESSIVE_DEPS or tok.dep_ == "det":
            verb = self._governing_verb(tok.head)
            if verb is not None:
                subjects = [c for c in _dependents(verb) if c.dep_ in _SUBJ] or self._controller(verb) or []
                found = [e for s in subjects if s.i != tok.i and s.pos_ != "PRON"
                         for e in self._actors(s, depth + 1)]
                if found:
                    return found
        return self._previous_subject(tok)

    def _previous_subject(self, tok: Token) -> list[Entity]:
        """A personal pronoun stands for the last actor that was a subject, in this sentence or the one before."""
        n = self.sent_of[tok.i]
        first = self.sents[max(n - 1, 0)].start
        for t in reversed(self.doc[first:tok.i]):
            if t.dep_ in _SUBJ | _PASS_SUBJ and t.i in self.ent_of:
                return [self._government(self.ent_of[t.i])]
        return []

    # -- modality ----------------------------------------------------------------------
    def _modality(self, t: Token) -> tuple[str, list[Entity]] | None:
        """How the text holds the event of trigger ``t``, and who claims it; None when ``t``
        is the content of a request or threat."""
        own = self._own_modality(t)
        if own == "negated":
            return own, []
        child, g, dep = t, t.head, t.dep_
        verb = self._governing_verb(t) if t.pos_ in ("NOUN", "PROPN") else None
        if verb is not None and self._direct_object(verb) == t:  # "a promis mercredi son soutien"
            g, dep = verb, "obj"
        steps = 0
        while g != child and steps < 8:
            steps += 1
            if dep not in _COMPLEMENT:
                break
            if dep != "conj" and g.dep_ != "prep":
                lemma = g.lemma_
                if self.lex.cue("not_events_below", lemma) and dep != "conj":
                    return None
                for kind in ("denied", "alleged", "pledged"):
                    if self.lex.cue(kind, lemma):
                        return kind, self._claimants(g)
                if own is None:
                    if self.lex.cue("possible", lemma):
                        return "possible", []
                    if self.lex.cue("planned", lemma):
                        return "planned", []
                    governing = self._own_modality(g) if g.pos_ in ("VERB", "AUX") else None
                    if governing in ("possible", "planned"):
                        own = governing
            child, g, dep = g, g.head, g.dep_
        if own is None:
            claim = self._claim_noun(t)
            if claim is not None:
                return "alleged", self._claimants(claim)
        return own or "asserted", []

    def _claim_noun(self, t: Token) -> Token | None:
        """The accusation noun whose content ``t`` is: "des accusations selon lesquelles Moscou achète".
        A relative clause on another noun on the way up describes that noun, not the claim."""
        child = t
        for a in t.ancestors:
            if child.dep_ in ("acl:relcl", "relcl") and not any(
                    key(g.text) in self.lex.phrases["alleged_sources"] for c in child.children for g in c.children):
                return None  # "a claim the Kremlin denied" describes the claim; "selon lesquelles ..." is it
            if a.pos_ == "NOUN" and self.lex.cue("alleged", a.lemma_):
                return a
            if a.dep_ == "ROOT":
                return None
            child = a
        return None

    def _conditional(self, t: Token) -> str:
        """What a verb in the conditional mood means: the future of reported speech ("il a
        déclaré que des documents seraient signés") or, in a clause of its own, what the
        language makes of it (French news uses it for unconfirmed claims: "le Nord aurait
        livré" is alleged); a modal in the conditional ("pourrait") is possible."""
        if self.lex.cue("possible", t.lemma_):
            return "possible"
        for a in t.ancestors:  # "il a déclaré que ... signeraient": the complement of a verb of saying
            if key(a.lemma_) in self.reporting_verbs and a.i < t.i and any(
                    key(w.text) in self.complementizers for w in t.doc[a.i + 1:t.i]):
                return self.lex.conditional.get("reported", "possible")
        return self.lex.conditional.get("main", "possible")

    def _own_modality(self, t: Token) -> str | None:
        lex = self.lex
        aux = [c for c in t.children if c.dep_.startswith("aux") or c.dep_ in ("cop",)]
        for c in t.children:
            if (c.dep_ in ("neg", "advmod", "det") and lex.cue("negation", c.text)) or c.dep_ == "neg":
                return "negated"
        if any(tok.morph.get("Mood") == ["Cnd"] or tok.text.lower().endswith(lex.conditional_endings)
               for tok in (*aux, t)):
            return self._conditional(t)
        for a in aux:
            if lex.cue("possible", a.lemma_) or lex.cue("possible", a.text):
                return "possible"
            if lex.cue("planned", a.lemma_) or lex.cue("planned", a.text):
                return "planned"
        for tok in (*aux, t):
            if tok.morph.get("Tense") == ["Fut"] and (
                    not lex.future_endings or key(tok.text).endswith(tuple(lex.future_endings))):
                return "planned"
        for c in t.children:
            if c.dep_ == "advmod":
                if lex.cue("possible_adverbs", c.text):
                    return "possible"
                if lex.cue("planned_adverbs", c.text):
                    return "planned"
            if c.dep_ in ("mark", "aux") and c.i < t.i:
                before = key(t.doc[max(c.i - 2, self._sent(t).start):c.i + 1].text)
                if any(before.endswith(p) for p in lex.phrases["purpose_markers"]):
                    return "planned"
        return None

    def _claimants(self, g: Token) -> list[Entity]:
        """Who makes the claim, promise or denial of governor ``g``."""
        if g.pos_ in ("NOUN", "PROPN"):
            return [e for c in g.children if c.dep_ in _ADJ_DEPS | _POSSESSIVE_DEPS for e in self._actors(c)]
        subjects = [c for c in _dependents(g) if c.dep_ in _SUBJ] or self._controller(g) or []
        return [e for s in subjects for e in self._actors(s)]

    def _denies_accusations(self, t: Token) -> bool:
        if not self.lex.cue("denied", t.lemma_):
            return False
        obj = self._direct_object(t)
        return obj is None or self.lex.cue("accusation_nouns", obj.lemma_)

    # -- place, date, mode ---------------------------------------------------------------
    def _location(self, t: Token, roles: dict[str, list[Token]], event: Event) -> Entity | None:
        taken = {e.id for e in (*event.source, *event.target)}
        # "se sont rencontrés mercredi à Pyongyang": the parser may hang the place on the date
        adjuncts = [g for c in t.children if c.dep_ in ("obl:mod", "npadvmod", "obl") for g in c.children
                    if g.dep_ == "nmod"]
        candidates = [(role, tok) for role, toks in roles.items() for tok in toks]
        candidates += [(self._case(g) or "", g) for g in adjuncts]
        for role, tok in candidates:
            ent = self.ent_of.get(tok.i) if role in self.lex.place_prepositions else None
            if ent is not None and ent.type in _PLACE_TYPES and self._government(ent).id not in taken:
                return ent
        return None

    def _date(self, t: Token, planned: bool = False) -> tuple[str | None, str | None]:
        sent = self._sent(t)
        if sent.start not in self.dates:
            ents = [e for e in self.date_ents if sent.start <= e.start < sent.end]
            self.dates[sent.start] = find_dates(sent, self.lex.date_words, self.article.text, ents)
        candidates = self.dates[sent.start]
        if not candidates:
            return None, None
        clause = _clause(t)
        for d in candidates:
            if _clause(self.doc[d.head]) == clause:
                return d.text, normalise(d.text, self.lex.code, self.article.published, kind=d.kind,
                                         future=planned)
        return None, None

    def _mode(self, t: Token) -> str | None:
        words = []
        obj = self._direct_object(t) if t.pos_ == "VERB" else None
        near = [obj, *obj.children, *(g for c in obj.children for g in c.children)] if obj is not None else []
        for tok in near + [c for c in t.children if c.dep_ in ("amod", "compound")]:
            words.append(key(tok.lemma_))
        for mode, cues in self.lex.modes.items():
            if any(w in cues for w in words):
                return mode
        return None

    # -- several events ------------------------------------------------------------------
    def _merge_light_verbs(self, events: list[Event]) -> list[Event]:
        """"imposer des sanctions à X", "launch an attack on X": one event, the verb's, with
        the roles the noun adds."""
        by_trigger = {e.trigger.i: e for e in events}
        drop = set()
        for e in events:
            if e.entry.pos != "verb":
                continue
            obj = self._direct_object(e.trigger)
            noun = by_trigger.get(obj.i) if obj is not None else None
            if noun is None:
                continue
            if noun.type != e.type:
                if e.entry.objects:  # "lifted sanctions": the verb's event consumes its object's
                    drop.add(noun.trigger.i)
                continue
            e.source = e.source or noun.source
            e.target = e.target or [x for x in noun.target if x not in e.source]
            e.mode = e.mode or noun.mode
            drop.add(noun.trigger.i)
        return [e for e in events if e.trigger.i not in drop]

    def _discourse(self, events: list[Event]) -> None:
        sent_index = {s.start: n for n, s in enumerate(self.sents)}

        def distance(a: Event, b: Event) -> int:
            return sent_index[a.sentence.start] - sent_index[b.sentence.start]

        for n, e in enumerate(events):
            if e.anchor_only:  # "la visite": the last visit, else the last event of its type
                earlier = [p for p in reversed(events[:n]) if p.type == e.type and p.source and p.target
                           and not p.anchor_only]
                prior = next((p for p in earlier if p.trigger.lemma_ == e.trigger.lemma_), None) or next(
                    iter(earlier), None)
                if prior is not None:
                    e.source, e.target = list(prior.source), list(prior.target)
        for n, e in enumerate(events):
            before = events[:n]
            if e.anchor_only:
                continue
            if e.denial:
                self._denial(e, before, distance)
                continue
            if not e.source and not e.target:  # "signés au cours de la visite": the visit's parties
                during = next((a for a in events if a.anchor_only and a.source
                               and a.sentence.start == e.sentence.start
                               and e.trigger in a.trigger.ancestors and self._during(a.trigger)), None)
                if during is not None:
                    e.source, e.target = list(during.source), list(during.target)
            if not e.target and e.source and e.entry.needs == "target":
                prior = next((p for p in reversed(before) if p.type == e.type and p.target and
                              not p.anchor_only and 0 <= distance(e, p) <= 1), None)
                if prior is not None:
                    e.target = [x for x in prior.target if x not in e.source]

    def _denial(self, e: Event, before: list[Event], distance) -> None:
        """A denial answers the latest accusation or claim before it that concerns the deniers
        (any claim, when the deniers are "both" or "they"): the accusers become its target,
        and the claimed act is marked ``denied_by`` the deniers."""
        def answered(p: Event) -> bool:
            if p.denial or not 0 <= distance(e, p) <= MAX_LOOKBACK_SENTENCES:
                return False
            if p.type == "ACCUSE":
                return bool(e.source) and self._takes_part(e.source, p, sides="target")
            if p.modality != "alleged" and not p.attributed_to:
                return False
            return self._takes_part(e.source, p) if e.source else p.modality == "alleged"

        answer = next((p for p in reversed(before) if answered(p)), None)
        if answer is None:
            return
        if answer.type == "ACCUSE":
            claims = [p for p in before if p.modality == "alleged" and p.sentence.start == answer.sentence.start]
            accusers = answer.source
        else:
            claims = [answer]
            accusers = answer.attributed_to or [x for p in before if p.type == "ACCUSE"
                                                and p.sentence.start == answer.sentence.start for x in p.source]
        if not e.source and claims:
            e.source = [x for x in [*claims[0].source, *claims[0].target] if x]
        e.target = [x for x in self._with_states(accusers) if x not in e.source]
        for claim in claims:
            claim.denied_by += [x for x in e.source if x not in claim.denied_by]

    def _takes_part(self, actors: list[Entity], event: Event, sides: str = "both") -> bool:
        countries = {(self._country_of(x) or x).id for x in actors}
        others = event.target if sides == "target" else [*event.source, *event.target]
        return any((self._country_of(x) or x).id in countries for x in others)

    def _during(self, noun: Token) -> bool:
        """The noun phrase is introduced by a preposition of time ("au cours de", "during")."""
        start = min(t.i for t in noun.subtree)
        words = [t.text for t in noun.doc[max(start - 4, 0):noun.i] if t.pos_ not in ("DET", "ADJ", "NUM")]
        before = key(" ".join(words))
        return any(before.endswith(p) for p in self.lex.phrases["during"])

    def _definite(self, t: Token) -> bool:
        return any(c.dep_ in ("det", "poss") and (c.morph.get("Definite") == ["Def"] or c.morph.get("Poss") == ["Yes"]
                                                    or c.morph.get("PronType") == ["Dem"])
                   for c in t.children)

    def _passive(self, verb: Token) -> bool:
        return _is_passive(verb, self.lex.cues.get("perfect_auxiliaries", frozenset()))

    def _sent(self, t: Token) -> Span:
        return self.sents[self.sent_of[t.i]]

    def _entity(self, ent_id: str | None) -> Entity | None:
        return next((e for e in self.article.entities if e.id == ent_id), None) if ent_id else None


def _dependents(verb: Token) -> list[Token]:
    """The verb's dependents, with the subject the parser sometimes hangs on its auxiliary
    ("Pékin a démenti": Pékin ← a)."""
    out = list(verb.children)
    for a in out[:]:
        if a.dep_.startswith("aux"):
            out += [c for c in a.children if c.dep_ in _SUBJ | _PASS_SUBJ]
    return out


def _is_passive(verb: Token, perfect_auxiliaries: frozenset[str]) -> bool:
    children = list(verb.children)
    if any(c.morph.get("Reflex") == ["Yes"] for c in children):
        return False  # a pronominal verb is active: "l'armée s'est déployée", whatever the parser says
    if any(c.dep_ in _PASSIVE_AUX for c in children):
        return True
    # a passive subject without a passive auxiliary: the parser's guess, believed unless the
    # verb is reflexive ("se sont engagées") or in a compound tense with "avoir"/"have"
    # ("que la Russie avait approuvées"), which is active
    return (any(c.dep_ in _PASS_SUBJ for c in children)
            and not any(c.dep_ == "expl:pass" or c.morph.get("Reflex") == ["Yes"] for c in children)
            and not any(c.dep_.startswith("aux") and key(c.lemma_) in perfect_auxiliaries for c in children))


def _clause(t: Token) -> Token:
    """The verb heading the clause of ``t`` (``t`` itself for a verb)."""
    for _ in range(6):
        if t.pos_ in ("VERB", "AUX") or t.head == t:
            return t
        t = t.head
    return t


def _dedupe(events: list[Event]) -> list[Event]:
    seen = set()
    out = []
    for e in sorted(events, key=lambda e: e.trigger.i):
        k = (e.type, e.sentence.start, tuple(x.id for x in e.source), tuple(x.id for x in e.target))
        if k in seen:
            continue
        seen.add(k)
        out.append(e)
    return out


def event_line(event: dict[str, Any], names: dict[str, str]) -> str:
    """One event as the CLI shows it: ``Russia —AID(military, alleged by United States)→ North
    Korea · 2024-06-19 · Pyongyang``."""
    def who(ids: list[str]) -> str:
        return " & ".join(names.get(i, i) for i in ids) or "?"

    detail = [x for x in (event.get("mode"),) if x]
    modality = event.get("modality") or "asserted"
    if modality != "asserted" or event.get("attributed_to"):
        claim = modality
        if event.get("attributed_to"):
            claim += f" by {who(event['attributed_to'])}"
        detail.append(claim)
    if event.get("denied_by"):
        detail.append(f"denied by {who(event['denied_by'])}")
    inner = f"({', '.join(detail)})" if detail else ""
    arrow = "↔" if event.get("symmetric") else "→"
    parts = [f"{who(event['source'])} —{event['type']}{inner}{arrow} {who(event['target'])}"]
    if event.get("date") or event.get("date_text"):
        parts.append(event.get("date") or repr(event["date_text"]))
    if event.get("location"):
        parts.append(names.get(event["location"], event["location"]))
    return " · ".join(parts)

