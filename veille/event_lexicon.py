"""Per-language event knowledge: the lexicon of ``languages/<code>/events.toml`` and the
demonyms of ``languages/<code>/demonyms.toml``, loaded once per process.

The rules of ``events.py`` are written once for every language and read only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from . import languages
from .errors import ConfigError
from .text import key

__all__ = ["CAMEO_ROOTS", "PLOVER_TYPES", "Entry", "EventLexicon"]

#: PLOVER event types (POLECAT), in codebook order
PLOVER_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")
#: the nearest CAMEO root code of each PLOVER type; a lexicon entry may give a finer code
CAMEO_ROOTS = {
    "AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "CONCEDE": "08", "COOPERATE": "06", "AID": "07",
    "RETREAT": "08", "REQUEST": "02", "ACCUSE": "11", "REJECT": "12", "THREATEN": "13", "PROTEST": "14",
    "SANCTION": "16", "MOBILIZE": "15", "COERCE": "17", "ASSAULT": "18",
}
_NEEDS = ("target", "actor", "both")
_VERB_SOURCE = ("subj",)
_VERB_TARGET = ("obj",)
_NOUN_SOURCE = ("adj", "poss", "genitive")


@dataclass(frozen=True)
class Entry:
    """One lexicon word: the event it triggers and where its actors are."""

    lemma: str
    type: str
    pos: str  # "verb" | "noun"
    source: tuple[str, ...]
    target: tuple[str, ...]
    mode: str | None = None
    cameo: str | None = None
    reciprocal: bool = False
    needs: str = "target"
    objects: frozenset[str] = frozenset()


@dataclass(frozen=True)
class EventLexicon:
    code: str
    verbs: dict[str, Entry] = field(default_factory=dict)
    #: first words of the multi-word verb keys ("vote" of "vote against")
    verb_heads: frozenset[str] = frozenset()
    nouns: dict[str, Entry] = field(default_factory=dict)
    #: modality cue class → folded lemmas ("possible", "planned", "pledged", "alleged", "denied", ...)
    cues: dict[str, frozenset[str]] = field(default_factory=dict)
    #: multi-word cues (purpose markers, source phrases), folded
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    future_endings: tuple[str, ...] = ()
    #: endings of the conditional mood, for the verbs the model tags otherwise ("signeraient" as imperfect)
    conditional_endings: tuple[str, ...] = ()
    modes: dict[str, frozenset[str]] = field(default_factory=dict)
    place_prepositions: frozenset[str] = frozenset()
    #: folded adjective/demonym form → actor key ("country:ru")
    demonyms: dict[str, str] = field(default_factory=dict)
    date_words: dict[str, Any] = field(default_factory=dict)
    genitive: frozenset[str] = frozenset()
    #: words naming a state's bodies ("ministry", "armée"): such an organisation also stands for its state
    state_bodies: frozenset[str] = frozenset()
    #: "adjectives" that make an event noun joint ("joint exercises": COOPERATE) and the
    #: "roles" naming the partners ("between", "entre")
    joint: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: what the conditional mood makes of an event: {"main": ..., "reported": ...}
    conditional: dict[str, str] = field(default_factory=dict)
    #: contracted or variant prepositions → the form the lexicon uses ("d'" → "de")
    prepositions: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.verbs and not self.nouns

    def cue(self, kind: str, lemma: str) -> bool:
        return key(lemma) in self.cues.get(kind, frozenset())

    @classmethod
    @cache
    def of(cls, code: str | None) -> EventLexicon:
        lang = languages.get(code)
        data = languages.read_file(lang.code, "events.toml")
        if not data:
            return cls(code=lang.code)
        origin = f"languages/{lang.code}/events.toml"
        verbs = {key(k): _entry(k, v, "verb", origin) for k, v in (data.get("verbs") or {}).items()}
        nouns = {key(k): _entry(k, v, "noun", origin) for k, v in (data.get("nouns") or {}).items()}
        modality = data.get("modality") or {}
        nominal = data.get("nominal") or {}
        single = {name: frozenset(key(w) for w in words) for name, words in modality.items()
                  if isinstance(words, list)}
        single["patient_verbs"] = frozenset(key(w) for w in nominal.get("patient_verbs", []))
        single["perfect_auxiliaries"] = frozenset(
            key(w) for w in (data.get("grammar") or {}).get("perfect_auxiliaries", []))
        phrases = {name: tuple(key(w) for w in modality.get(name, [])) for name in ("purpose_markers", "alleged_sources")}
        phrases["during"] = tuple(key(w) for w in nominal.get("during", []))
        demonyms: dict[str, str] = {}
        dem = languages.read_file(lang.code, "demonyms.toml")
        for iso, forms in (dem.get("demonyms") or {}).items():
            for form in forms:
                demonyms[key(form)] = f"country:{iso.lower()}"
        for actor_key, forms in (dem.get("blocs") or {}).items():
            for form in forms:
                demonyms[key(form)] = actor_key
        return cls(
            code=lang.code, verbs=verbs, nouns=nouns,
            verb_heads=frozenset(k.split(" ", 1)[0] for k in verbs if " " in k and not k.startswith("se ")), cues=single, phrases=phrases,
            future_endings=tuple(modality.get("future_endings", [])),
            conditional_endings=tuple(modality.get("conditional_endings", [])),
            modes={m: frozenset(key(w) for w in words) for m, words in (data.get("modes") or {}).items()},
            place_prepositions=frozenset(key(p) for p in (data.get("places") or {}).get("prepositions", [])),
            demonyms=demonyms,
            date_words={k: tuple(v) if isinstance(v, list) else v for k, v in (data.get("dates") or {}).items()},
            genitive=frozenset(key(p) for p in (data.get("roles") or {}).get("genitive", [])),
            prepositions={key(k): key(v) for k, v in (data.get("prepositions") or {}).items()},
            joint={k: tuple(key(w) for w in nominal.get(f"joint_{k}", [])) for k in ("adjectives", "roles")}
            if nominal.get("joint_adjectives") else {},
            conditional={k: str(v) for k, v in (modality.get("conditional") or {}).items()},
            state_bodies=frozenset(key(w) for w in (data.get("roles") or {}).get("state_bodies", [])),
        )


def _entry(lemma: str, spec: dict[str, Any], pos: str, origin: str) -> Entry:
    kind = spec.get("type")
    if kind not in PLOVER_TYPES:
        raise ConfigError(f"{origin}: {lemma!r} has type {kind!r}; known types: {', '.join(PLOVER_TYPES)}")
    needs = spec.get("needs", "target")
    if needs not in _NEEDS:
        raise ConfigError(f"{origin}: {lemma!r} has needs={needs!r}; use one of {', '.join(_NEEDS)}")
    source = spec.get("source") or (_VERB_SOURCE if pos == "verb" else _NOUN_SOURCE)
    target = spec.get("target") or (_VERB_TARGET if pos == "verb" else ())
    return Entry(
        lemma=key(lemma), type=kind, pos=pos,
        source=tuple(_role(r) for r in source), target=tuple(_role(r) for r in target),
        mode=spec.get("mode"), cameo=str(spec["cameo"]) if spec.get("cameo") else None,
        reciprocal=bool(spec.get("reciprocal", False)), needs=needs,
        objects=frozenset(key(o) for o in spec.get("objects", [])),
    )


def _role(role: str) -> str:
    """Roles are compared folded; "de"/"of" stay prepositions, the genitive role is "genitive"."""
    return key(role)
