"""Name matching for linking and screening: normalise names across scripts and spellings,
derive blocking keys for the index, and score a query against an entity's names.

Linking (article actors → knowledge base) and screening (actors → sanctions lists) are the
same matching problem with different lists and thresholds. Transliteration and name-part
knowledge come from rigour (OpenSanctions' normalisation library); scoring is ours.

Reading a name (``_analyse``, cached):

* rigour's ``analyze_names`` strips honorifics ("President", "Mr") and, for organisations,
  rewrites legal forms to a compare form ("Aktiengesellschaft" → "ag") and tags them. It also
  tags name parts with *symbols*: Wikidata ids of given and family names ("Сергей", "Sergei"
  and "Sergueï" share one; so do "Moammar" and "Muammar", "贝拉克" and "Barack"), nicknames
  ("Bill" ~ "William"), organisation words ("Corp." ~ "Corporation"), numbers ("VII" = 7,
  "forty" = 40), places and legal classes. Parts that share a symbol are one name. Its tagger
  is built on the first person name of a process (seconds: see ``warm_up``).
* Every part is transliterated to lower-case ASCII (``rigour.text.ascii_text``) for edit
  distances and phonetics (``rigour.text.metaphone``).
* Korean names in Hangul are split into syllables first ("김정은" → "김 정 은": rigour reads the
  whole word as "gimjeongeun"), so that each syllable gets its own symbols ("정" ~ "Jong" ~
  "Jeong") and lines up with "Kim Jong Un" or "Kim Jong-un"; a Chinese name in Han characters
  too ("习近平" → "xi jin ping"), unless it is a foreign name written with an interpunct
  ("贝拉克·奥巴马"), whose words rigour knows. The Arabic article is split off ("الأسد").

Scoring two names (``match``): their tokens are aligned whatever their order (greedy on a
similarity matrix; adjacent tokens may be read as one: "Alisher-Usmanov", "PolPot",
"jin ping" ~ "Jinping"). Two tokens are similar when equal, when they share a symbol, when
they sound alike (same metaphone, at most two edits apart), when they are one spelling by
English, French and German conventions ("Poutine", "Lawrow", "Nasarbajew"), else by a blend
of edit distance and Jaro-Winkler; Arabic and Hebrew script, without short vowels, compare by
consonants. An organisation's acronym matches its words ("NATO"). The score is the weighted
mean similarity of the pairs, minus penalties:

* a weak pair (similarity under 0.85: "Sancho" / "Sánchez") counts partly as a different word;
  two parts rigour knows as different names, or one name derived from the other ("Ronaldo" /
  "Ronaldinho"), are less similar than their letters;
* a token left without partner on *both* sides is a different name part: "Kim Jong Nam" is not
  "Kim Jong Un", "Hun Manet" is not "Hun Sen" (0.3 each, so such names stay under 0.8; a
  different series number costs less: "Fund VII" / "Fund VIII");
* tokens left on one side only (a middle name, a patronymic) cost little for persons, more
  as they grow to most of the name or when one word alone matched ("John" / "John Terry");
  for organisations an extra word costs more ("Gazprom" is not "Gazprom Neft"), a syllable
  more or less in a Korean or Chinese name is another name;
* person names whose parts come in a shuffled order (not just the family name moved to the
  front) are different people ("Ahmad bin Hasan" / "Hasan bin Ahmad"); an initial in place
  of a name ("V. Putin") costs a little;
* organisations with one name and different legal forms are often a parent and a subsidiary
  (0.75: a screening hit, not a link).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from json.decoder import JSONDecoder
from typing import Any, Final

from rapidfuzz.distance import OSA, JaroWinkler
from rigour.names import NameTypeTag, analyze_names, extract_org_types
from rigour.names.check import is_generic_person_name
from rigour.text import ascii_text, metaphone
from rigour.text.scripts import codepoint_script

__all__ = ["LINK_THRESHOLD", "SCREEN_THRESHOLD", "NameMatch", "blocking_keys", "dump_name", "key_groups",
           "load_name", "match", "match_read", "name_keys", "normalise", "query_forms", "read_name", "read_query",
           "score_read", "Scored", "spelling_similarity", "stored_name", "stored_parts", "stored_token",
           "edit_distance", "tokens", "clear_caches", "vocabulary", "warm_up"]

#: the version of how names are read and keyed: the knowledge base's index is rebuilt
#: (``veille kb reindex``) when it changes
NAMES_VERSION = 5
#: a mention links to a knowledge-base entity at or above this score
LINK_THRESHOLD = 0.80
#: a screening hit is reported at or above this score (recall first: a person reviews hits)
SCREEN_THRESHOLD = 0.75


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0..1
    name: str  # the candidate name that matched best
    why: str  # a short human explanation ("same tokens", "transliteration", "typo in 1 token")


# --- reading a name ------------------------------------------------------------------------

# (module constants and caches are ``Final``: see veille.kb.search)

# token kinds
_NAME: Final = 0
_INITIAL: Final = 1
_PARTICLE: Final = 2
_LEGAL: Final = 3
_GENERIC: Final = 4
_NUMBER: Final = 5

# Particles of person names: no identity, skipped when unmatched. Hand-written because rigour's
# stopword list is made for organisation names and free text: it holds "un", "a", "y", "es"...,
# which are name parts (Kim Jong Un) or initials, and it lacks "bin" and "ibn".
_PARTICLES: Final = frozenset(
    "al el ul bin ben ibn bint binti de del della der den di da das dos do du la le van von zu y "
    "e af ter ten".split()
)

# Symbol categories kept for token equivalence (INITIAL is the scorer's business).
_SYMBOL_CATEGORIES: Final = frozenset({"NAME", "NICK", "SYMBOL", "NUM", "ORGCLS", "LOC", "DOMAIN"})
# organisation words that are not distinctive ("Company", "Group", "Bank", "International")
_GENERIC_CATEGORIES: Final = frozenset({"SYMBOL", "DOMAIN"})

# Digits typed for look-alike letters inside a word ("I9or Sech1n"). Hand-written: rigour's
# confusable costs live inside compare_parts and are not exposed as a mapping.
_LEET: Final = str.maketrans("0134579", "oieastg")
_LEET_RE: Final = re.compile(r"(?<=[a-z])[0134579](?=[a-z])")
# Roman numerals of series ("Fund XI"); rigour reads some ("VII") but not all ("XI")
_ROMAN: Final = re.compile(r"^(?=[ivx])x{0,3}(ix|iv|v?i{0,3})$")

_HANGUL_WORD: Final = re.compile(r"[\uac00-\ud7a3]{2,5}")
_HAN_WORD: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,4}")
# Hand-written: rigour's tokenizer keeps the Arabic article "ال" glued to the word it defines
_ARABIC_ARTICLE: Final = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{3})")
_INTERPUNCT: Final = ("·", "・", "‧", "•")
_ABJADS: Final = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana"})  # scripts without short vowels
_SYLLABIC: Final = frozenset({"Hangul", "Han"})  # scripts whose names are split into syllables

_SYMBOLS: Final = True  # tag name parts with rigour's symbols (False: to measure what they are worth)
_TAGS: Final = {"PER": NameTypeTag.PER, "ORG": NameTypeTag.ORG, "OBJ": NameTypeTag.OBJ}
# FollowTheMoney schemata → kind of name; others (LegalEntity, none) are read from the names
_SCHEMA_KINDS: Final = {
    "Person": "PER",
    "Organization": "ORG", "Company": "ORG", "PublicBody": "ORG",
    "Vessel": "OBJ", "Airplane": "OBJ", "Vehicle": "OBJ",
}


# The classes a search makes thousands of per name (parts, names, pairs, scores) are plain
# classes with ``Final`` attributes rather than frozen dataclasses: a frozen dataclass's
# ``__init__`` sets each field through ``object.__setattr__`` (about 1.5 µs for a name, when
# compiled; a plain class takes a tenth of that), and mypyc makes ``Final`` attributes read-only.


class _Tok:
    """One name part. Interned (see ``_token``): equal parts are one object, hashed by identity."""

    __slots__ = ("text", "form", "syms", "kind", "weight", "phon", "abjad", "script", "known", "place", "loose",
                 "letters")

    def __init__(self, text: str, form: str, syms: frozenset[str], kind: int, weight: float, phon: str, abjad: bool,
                 script: str, known: bool, place: bool, loose: tuple[str, ...], letters: frozenset[str]) -> None:
        self.text: Final = text  # lower-case ASCII letters and digits; "" when the script has no transliteration
        self.form: Final = form  # the case-folded original, for names compared in their own script
        self.syms: Final = syms  # "NAME:Q12902079", "NUM:7", "ORGCLS:LLC", "LOC:cn"...
        self.kind: Final = kind
        self.weight: Final = weight
        self.phon: Final = phon  # metaphone of text
        self.abjad: Final = abjad  # written in a script without short vowels (Arabic, Hebrew)
        self.script: Final = script
        self.known: Final = known  # rigour knows it as a given or family name
        self.place: Final = place
        self.loose: Final = loose  # spellings with the transliteration conventions levelled (``_loose``)
        self.letters: Final = letters  # the letters of text, for a quick "nothing alike"

    def __repr__(self) -> str:
        return f"_Tok({self.text!r}, {self.form!r}, kind={self.kind}, weight={self.weight})"


_TOKENS: Final[dict[tuple, _Tok]] = {}


def _token(text: str, form: str, syms: frozenset[str], kind: int, weight: float, script: str,
           stored: tuple[str, tuple[str, ...]] | None = None) -> _Tok:
    """The token of these fields (``stored``: its sound and loose spellings, computed already)."""
    key = (text, form, syms, kind, weight, script)
    tok = _TOKENS.get(key)
    if tok is None:
        if len(_TOKENS) > 500_000:
            _TOKENS.clear()  # only costs cache hits: scores are keyed by token identity
            _LOADED.clear()
        phon, loose = stored if stored is not None else (_sound(text), _loose(text))
        tok = _TOKENS[key] = _Tok(
            text, form, syms, kind, weight, phon, script in _ABJADS, script,
            any(s.startswith("NAME:") for s in syms), any(s.startswith("LOC:") for s in syms), loose,
            frozenset(text))
    return tok


# How English, French and German write the sounds of Russian, Arabic or Persian names
# (Gorbachev / Gorbatchev / Gorbatschow, Nazarbayev / Nazarbaïev / Nasarbajew, Poutine,
# Mouammar), levelled to one spelling. Hand-written: rigour transliterates scripts to Latin,
# but has nothing to relate two Latin spellings made by different conventions. An English
# "ch" is a German "tsch" but a German "ch" is an English "kh": both readings are kept.
_LOOSE_RULES: Final = (
    ("tsch", "C"), ("tch", "C"), ("dsch", "J"), ("dzh", "J"), ("sch", "S"), ("sh", "S"), ("zh", "S"), ("kh", "H"),
    ("gh", "G"), ("dh", "D"), ("th", "T"), ("ph", "F"), ("ou", "U"), ("oo", "U"), ("ck", "K"), ("w", "V"), ("y", "I"),
    ("j", "I"), ("q", "K"), ("z", "S"), ("x", "KS"))
# the rules before "ch" (which is read both ways), those after it, and the letters for one letter
# in one pass (after the others: they write capitals only, which no rule reads; a table of single
# letters only, which ``str.translate`` applies several times as fast)
_LOOSE_FIRST: Final = _LOOSE_RULES[:8]
_LOOSE_THEN: Final = tuple((old, new) for old, new in _LOOSE_RULES[8:] if len(old) > 1 or len(new) > 1)
_LOOSE_LETTERS: Final = str.maketrans({old: new for old, new in _LOOSE_RULES[8:] if len(old) == len(new) == 1})


@lru_cache(maxsize=100_000)
def _sound(text: str) -> str:
    return metaphone(text) if text.isalpha() else ""


@lru_cache(maxsize=100_000)
def _loose(text: str) -> tuple[str, ...]:
    if len(text) < 2 or not text.isalpha():
        return ()
    out = []
    for ch in ("C", "H") if "ch" in text else ("C",):
        t = text
        for old, new in _LOOSE_FIRST:
            t = t.replace(old, new)
        t = t.replace("ch", ch)
        for old, new in _LOOSE_THEN:
            t = t.replace(old, new)
        t = _undouble(t.translate(_LOOSE_LETTERS).lower())
        if len(t) > 4 and t.endswith("e"):
            t = t[:-1]  # French mute e: Poutine, Prigojine
        out.append(t)
    return tuple(dict.fromkeys(out))


class _Name:
    """A name read: its parts, and what the scorer asks of all of them."""

    __slots__ = ("kind", "toks", "spans", "key", "scripts", "syllabic", "legal", "singles", "symbols")

    def __init__(self, kind: str, toks: tuple[_Tok, ...], spans: tuple[tuple[int, int, frozenset[str]], ...],
                 key: tuple[str, ...], scripts: frozenset[str], syllabic: bool, legal: frozenset[str],
                 singles: frozenset[str] = frozenset(), symbols: frozenset[str] = frozenset()) -> None:
        self.kind: Final = kind
        self.toks: Final = toks
        # symbols of multi-part spans, by (first, last) part index ("people's liberation army")
        self.spans: Final = spans
        self.key: Final = key  # the token texts
        self.scripts: Final = scripts
        self.syllabic: Final = syllabic  # a name in Hangul or Han split into syllables
        self.legal: Final = legal  # legal classes of an organisation ("ORGCLS:LLC")
        self.singles: Final = singles  # the symbols of its parts
        self.symbols: Final = symbols  # and of its multi-part spans

    def __repr__(self) -> str:
        return f"_Name({self.kind!r}, {self.key!r})"


def _split_syllables(text: str) -> str:
    """Hangul names, and Han names not written with an interpunct, one syllable per token; the
    Arabic article written apart ("الأسد" → "ال أسد", as "al-Assad")."""
    if text.isascii():  # (none of those scripts)
        return text
    text = _HANGUL_WORD.sub(lambda m: " ".join(m.group(0)), text)
    text = _ARABIC_ARTICLE.sub("\u0627\u0644 ", text)
    if not any(p in text for p in _INTERPUNCT):
        text = _HAN_WORD.sub(lambda m: " ".join(m.group(0)), text)
    return text


def _ascii(form: str) -> str:
    if form.isascii():
        text = form
    else:
        text = ascii_text(form).lower()
        if "?" in text and not any(c.isalpha() for c in text):
            return ""  # a script neither rigour nor ICU transliterates (Khmer): compare forms
    text = "".join(c for c in text if c.isalnum())
    if not text.isalpha() and not text.isdigit():
        text = _LEET_RE.sub(lambda m: m.group(0).translate(_LEET), text)
    return text


def _kind(schema: str | None, names: Iterable[str]) -> str:
    kind = _SCHEMA_KINDS.get(schema or "")
    if kind:
        return kind
    return "ORG" if any(_org_tokens(n) for n in names) else "PER"


@lru_cache(maxsize=50_000)
def _org_tokens(name: str) -> frozenset[str]:
    """The words of the legal forms in a name ("LLC", "S.A." → "sa"), as rigour reads them."""
    return frozenset(w for found, _ in extract_org_types(name.casefold()) for w in _ascii_words(found))


def _ascii_words(text: str) -> list[str]:
    return [_ascii(w) for w in text.split()]


@lru_cache(maxsize=200_000)
def _analyse(name: str, kind: str, tagged: bool = True) -> _Name:
    """Read a name. ``tagged``: with rigour's symbols (for a person, its tagger of given and
    family names costs seconds to build per process: the query side of a knowledge-base search
    reads person names untagged and takes the symbols of their parts from the knowledge base's
    vocabulary instead, see ``with_symbols``)."""
    text = (name or "").strip()
    if kind == "PER" and text.count(",") == 1:
        family, _, given = text.partition(",")  # "LAVROV, Sergei" → "Sergei LAVROV"
        if family.strip() and given.strip():
            text = f"{given} {family}"
    symbols = _SYMBOLS and (tagged or kind != "PER")
    names = analyze_names(_TAGS[kind], [_split_syllables(text)], consolidate=False, phonetics=False, symbols=symbols)
    if not names:
        return _Name(kind, (), (), (), frozenset(), False, frozenset())
    parsed = next(iter(names))
    parts = parsed.parts
    syms: list[set[str]] = [set() for _ in parts]
    multi: dict[tuple[int, int], set[str]] = {}
    for span in parsed.spans if symbols else ():
        cat = span.symbol.category.value
        if cat not in _SYMBOL_CATEGORIES or (cat == "NUM" and kind == "PER"):
            continue
        key = f"{cat}:{span.symbol.id}"
        if key == "LOC:zz":  # "Global", "International": not a place
            continue
        idx = [p.index for p in span.parts]
        if len(idx) == 1:
            syms[idx[0]].add(key)
        else:
            multi.setdefault((min(idx), max(idx)), set()).add(key)
    legal_words = _org_tokens(name) if kind == "PER" and len(parts) > 2 else frozenset()
    toks = []
    for p, s in zip(parts, syms, strict=True):
        form = p.form
        text_ = _ascii(form)
        first = next((c for c in form if c.isalpha()), "")
        script = (codepoint_script(ord(first)) or "") if first else ""
        if kind == "PER":
            if len(text_) == 1 and text_.isalpha() and script == "Latin":
                k, w = _INITIAL, 0.3
            elif text_ in _PARTICLES:
                k, w = _PARTICLE, 0.0
            elif text_ in legal_words:
                k, w = _LEGAL, 0.0  # "Nicolás Maduro LLC": a company named after its owner
            elif is_generic_person_name(text_):
                k, w = _NAME, 0.7  # "Mohammed", "Abdullah"
            else:
                k, w = _NAME, 1.0
        else:
            tag = p.tag.value
            cats = {x.split(":", 1)[0] for x in s}
            if tag == "NUM" or "NUM" in cats or _ROMAN.match(text_):
                k, w = _NUMBER, 0.6  # before legal forms: rigour reads "II" as a legal class too
            elif tag == "LEGAL" or "ORGCLS" in cats:
                k, w = _LEGAL, 0.0
            elif tag == "STOP":
                k, w = _PARTICLE, 0.0
            elif cats & _GENERIC_CATEGORIES and not cats & {"LOC", "NAME"}:
                k, w = _GENERIC, 0.4
            else:
                k, w = _NAME, 1.0
        toks.append(_token(text_, form, frozenset(s), k, w, script))
    return _make_name(kind, tuple(toks), tuple((a, b, frozenset(s)) for (a, b), s in multi.items()))


_NOTHING: Final[frozenset[str]] = frozenset()
_SCRIPT_SETS: Final[dict[frozenset[str], frozenset[str]]] = {}
_SCRIPTS_OF: Final[dict[str, frozenset[str]]] = {}  # the set of one script (or none), by its name


def _make_name(kind: str, toks: tuple[_Tok, ...], spans: tuple[tuple[int, int, frozenset[str]], ...]) -> _Name:
    # (one pass over the parts: a search makes thousands of names from stored ones)
    texts = []
    script = ""  # the script of the parts, "" for none, "*" for several
    having: list[frozenset[str]] = []
    legal = False
    for t in toks:
        texts.append(t.text or t.form)
        if t.script and t.script != script:
            script = t.script if not script else "*"
        if t.syms:
            having.append(t.syms)
        legal = legal or t.kind == _LEGAL
    scripts = _SCRIPTS_OF.get(script)
    if scripts is None:
        scripts = frozenset([t.script for t in toks if t.script])
        scripts = _SCRIPT_SETS.setdefault(scripts, scripts)  # (a handful of them: shared by every name)
        if script != "*":
            _SCRIPTS_OF[script] = scripts
    # (a name with symbols on one part shares that part's set: a search loads thousands of names)
    singles = having[0] if len(having) == 1 else frozenset().union(*having) if having else _NOTHING
    classes = _NOTHING
    if legal:
        classes = frozenset([x for t in toks if t.kind == _LEGAL for x in t.syms if x.startswith("ORGCLS:")]) or _NOTHING
    return _Name(kind, toks, spans, tuple(texts), scripts, not scripts.isdisjoint(_SYLLABIC), classes, singles,
                 singles.union(*[s for _, _, s in spans]) if spans else singles)


# --- names read once, stored with the knowledge base ----------------------------------------


def read_name(name: str, schema: str | None = None) -> _Name:
    """A name read with rigour's symbols, as the knowledge base stores it (``dump_name``)."""
    return _analyse(name or "", _kind(schema, [name or ""]))


# A stored name: its kind, its parts and its multi-part spans, split by these two characters
# (JSON escapes them inside strings). Each part is its own JSON list of every field a token is
# built from, its sound and loose spellings included: loading a name is a dictionary look-up
# per part (``_LOADED``, by that JSON text), and a part new to the process is decoded once,
# without computing anything. Hand-written rather than one JSON document, which costs a search
# about a tenth of its time to decode and rebuild tokens from on every candidate name scored.
_FIELDS: Final = "\x1e"
_PARTS: Final = "\x1f"


def dump_name(parsed: _Name) -> str:
    """A read name as a compact string: reading it back (``load_name``) costs a fraction of
    reading the name again, which matters when a search scores thousands of stored names."""
    toks = _PARTS.join(json.dumps([t.text, t.form, sorted(t.syms), t.kind, t.weight, t.script, t.phon, list(t.loose)],
                                  ensure_ascii=False, separators=(",", ":")) for t in parsed.toks)
    out = parsed.kind + _FIELDS + toks
    if parsed.spans:
        out += _FIELDS + json.dumps([[a, b, sorted(s)] for a, b, s in parsed.spans], ensure_ascii=False,
                                    separators=(",", ":"))
    return out


@lru_cache(maxsize=300_000)
def load_name(text: str) -> _Name:
    """A name stored by ``dump_name`` (or as one JSON list, as names were stored before
    NAMES_VERSION 5: a knowledge base not reindexed since is still read right)."""
    split = stored_parts(text)
    if split is None:
        kind, toks, old_spans = json.loads(text)
        return _make_name(kind, tuple(_token(t[0], t[1], frozenset(t[2]), t[3], t[4], t[5]) for t in toks),
                          tuple((a, b, frozenset(s)) for a, b, s in old_spans))
    kind, parts, spans = split
    loaded = []
    for part in parts:
        tok = _LOADED.get(part)
        if tok is None:
            if len(_LOADED) > 500_000:
                _LOADED.clear()
            tok = _LOADED[part] = stored_token(part)
        loaded.append(tok)
    return stored_name(kind, tuple(loaded), spans)


def stored_parts(text: str) -> tuple[str, list[str], str] | None:
    """A name stored by ``dump_name`` in pieces: its kind, the text of each of its parts (what
    ``stored_token`` loads) and the JSON of its multi-part spans ("" when it has none); None
    for a name stored as one JSON list (before NAMES_VERSION 5: ``load_name`` reads those)."""
    if text.startswith("["):
        return None
    fields = text.split(_FIELDS)
    return fields[0], fields[1].split(_PARTS) if len(fields) > 1 and fields[1] else [], \
        fields[2] if len(fields) > 2 else ""


def stored_name(kind: str, toks: tuple[_Tok, ...], spans: str) -> _Name:
    """A name from the pieces of ``stored_parts``, its parts loaded (``stored_token``)."""
    return _make_name(kind, toks, tuple((a, b, frozenset(s)) for a, b, s in json.loads(spans)) if spans else ())


def stored_token(part: str) -> _Tok:
    """A part of a name stored by ``dump_name`` (one of ``stored_parts``)."""
    text, form, syms, kind, weight, script, phon, loose = _json_value(part)
    return _token(text, form, frozenset(syms), kind, weight, script, (phon, tuple(loose)))


_LOADED: Final[dict[str, _Tok]] = {}  # tokens by their stored text (``load_name``)
# (json's C scanner: what ``JSONDecoder.raw_decode`` calls; not in the type stubs)
_SCAN_JSON: Final[Callable[[str, int], tuple[Any, int]]] = JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json_value(text: str) -> Any:
    """``json.loads`` of a text ``dump_name`` wrote: its C scanner called directly, without the
    Python layers around it (a third of the time for a stored token, thousands per search)."""
    try:
        value, end = _SCAN_JSON(text, 0)
    except StopIteration:  # (how the scanner says there is no value at 0)
        end = -1
    if end != len(text):
        raise ValueError(f"not one JSON value: {text[:80]!r}")
    return value


def vocabulary(parsed: _Name) -> dict[str, frozenset[str]]:
    """The symbols of each part of a person name, by part form ("sergei" → {"NAME:Q…"}): the
    knowledge base keeps them so that a query is read without rigour's person tagger."""
    if parsed.kind != "PER":
        return {}
    return {t.form: t.syms for t in parsed.toks if t.syms}


def query_forms(name: str, schema: str | None) -> list[str]:
    """The parts of a person query whose symbols ``read_query`` asks for (none for others)."""
    if _kind(schema, [name or ""]) != "PER":
        return []
    return [t.form for t in _analyse(name or "", "PER", False).toks if t.kind == _NAME]


def read_query(name: str, schema: str | None, symbols: Callable[[list[str]], Mapping[str, frozenset[str]]]) -> _Name:
    """A query name for a knowledge-base search. Organisations are read with rigour's tagger
    (a tenth of a second to build); persons without it, their parts taking the symbols that
    ``symbols(forms)`` knows (the knowledge base's vocabulary: the same parts of its names
    had them). A Latin part no stored name has gets no symbol: it is compared by its letters;
    a part in another script no stored name has makes the name read with the tagger."""
    kind = _kind(schema, [name or ""])
    if kind != "PER":
        return _analyse(name or "", kind)
    parsed = _analyse(name or "", kind, False)
    known = symbols([t.form for t in parsed.toks if t.kind == _NAME]) if parsed.toks else {}
    if any(t.kind == _NAME and t.script not in ("Latin", "") and t.form not in known for t in parsed.toks):
        # a part in another script that no stored name has: only rigour's symbols relate it
        # to a Latin spelling ("Чен" ~ "Jong", "Ын" ~ "Un"), so the tagger is built after all
        return _analyse(name or "", kind)
    if not known:
        return parsed
    toks = tuple(_token(t.text, t.form, known[t.form], t.kind, t.weight, t.script) if t.form in known else t
                 for t in parsed.toks)
    return _make_name(kind, toks, parsed.spans)


@lru_cache(maxsize=100_000)
def normalise(name: str) -> str:
    """Lower-case Latin ASCII, punctuation as spaces, single spaces: "Сергей Лавров" → "sergei lavrov".

    Honorifics are dropped ("President Erdoğan" → "erdogan"), "FAMILY, Given" is put back in
    order, and Korean names in Hangul are read by syllable ("김정은" → "gim jeong eun").
    """
    return " ".join(_analyse(name or "", "PER").key)


def tokens(name: str) -> list[str]:
    return normalise(name).split()


# --- blocking -----------------------------------------------------------------------------

_MAX_NAME_SYMBOLS: Final = 12  # a syllable like "jeong" has dozens of name ids: none of them selective


def _token_keys(t: _Tok) -> frozenset[str]:
    """The keys of one part: its letters, its sound, the ids of the name it spells (memoised:
    tokens are interned, and a search takes the keys of thousands of stored names)."""
    found = _TOKEN_KEYS.get(t)
    if found is None:
        if len(_TOKEN_KEYS) > 500_000:
            _TOKEN_KEYS.clear()
        found = _TOKEN_KEYS[t] = frozenset(_keys_of_token(t))
    return found


def _keys_of_token(t: _Tok) -> set[str]:
    if t.kind != _NAME or len(t.text) == 1:
        return set()
    keys = {t.text or t.form}
    if len(t.phon) >= 2:
        keys.add("~" + t.phon)
    names = [s for s in t.syms if s.startswith(("NAME:", "NICK:"))]
    if len(names) <= _MAX_NAME_SYMBOLS:
        keys.update(names)
    return keys


_TOKEN_KEYS: Final[dict[_Tok, frozenset[str]]] = {}


@lru_cache(maxsize=100_000)
def name_keys(parsed: _Name) -> frozenset[str]:
    """The blocking keys of a read name (see ``blocking_keys``)."""
    keys: set[str] = set()
    for t in parsed.toks:
        keys |= _token_keys(t)
    # the name written as one word finds "AlisherUsmanov", "PolPot", "SiemensAG"
    words = [t.text for t in parsed.toks if t.text and t.kind != _PARTICLE]
    if 2 <= len(words) <= 5:
        keys.add("".join(words))
        content = [t.text for t in parsed.toks if t.text and t.kind in (_NAME, _GENERIC, _NUMBER)]
        if len(content) >= 2:
            keys.add("".join(content))
    if parsed.kind != "PER":
        letters = [t.text for t in parsed.toks if t.kind in (_NAME, _GENERIC) and t.text]
        if len(letters) >= 2:  # "People's Liberation Army" is found by "PLA"
            acronym = "".join(t[0] for t in letters)
            if acronym.isalpha():
                keys.add(acronym)
        # a known organisation: "PLA" and "People's Liberation Army" share rigour's id
        keys.update(s for _, _, syms in parsed.spans for s in syms if s.startswith("DOMAIN:"))
        keys.update(s for t in parsed.toks if t.kind == _GENERIC for s in t.syms if s == f"DOMAIN:{t.text.upper()}")
        if not any(t.kind == _NAME for t in parsed.toks):  # "Management Company": generic words only
            keys.update(t.text for t in parsed.toks if t.kind in (_GENERIC, _NUMBER) and t.text)
    return frozenset(keys)


def key_groups(parsed: _Name) -> tuple[list[frozenset[str]], list[str]]:
    """The keys of a query by the part they come from (a part's spelling, sound and name ids
    say one thing), and the keys of the whole name (words joined, acronym)."""
    groups: list[frozenset[str]] = []
    seen: set[str] = set()
    for t in parsed.toks:
        mine = _token_keys(t) - seen
        if mine:
            groups.append(frozenset(mine))
            seen |= mine
    return groups, sorted(name_keys(parsed) - seen)


def blocking_keys(name: str, schema: str | None = None) -> set[str]:
    """Index keys of a name: a lookup by any key of a variant of the name finds it.

    The keys are the distinctive tokens (no particles, initials, legal forms or, for persons,
    one-letter tokens), their metaphone ("~LFRF"), the Wikidata ids of their name parts
    ("NAME:Q12902079", shared by "Sergei", "Sergueï" and "Сергей"), and for organisations the
    acronym of their words. Variants of a name share at least one key unless every one of its
    tokens is misspelt.
    """
    return set(name_keys(_analyse(name or "", _kind(schema, [name or ""]))))


# --- scoring --------------------------------------------------------------------------------

# how a token pair matched
_EXACT: Final = "exact"
_SYMBOL: Final = "symbol"
_PHONETIC: Final = "phonetic"
_TYPO: Final = "typo"
_INITIAL_OF: Final = "initial"
_SCRIPT: Final = "script"
_WEAK: Final = "weak"
_JOINED: Final = "joined"

_PAIR_MIN: Final = 0.62  # below this two tokens are different words
_SURE: Final = 0.85  # at or above this they are surely the same word
_SUBSTITUTED: Final = 0.3  # cost of a name part with no counterpart on either side


_VOWELS: Final = str.maketrans("", "", "aeiouyw")
_LONE_H: Final = re.compile(r"(?<![kstdgcz])h")


def _undouble(text: str) -> str:
    """Doubled letters written once ("mohammmed" → "mohamed"). A loop rather than a regular
    expression's substitution (``(.)\\1+``), which costs ten times as much on a short word."""
    kept = [ch for i, ch in enumerate(text) if i == 0 or ch != text[i - 1] or ch == "\n"]
    return text if len(kept) == len(text) else "".join(kept)


@lru_cache(maxsize=100_000)
def _skeleton(text: str) -> str:
    """Consonants only: Arabic and Hebrew script do not write short vowels, and a Persian or
    Arabic "h" is often one ("خامنه‌ای", "khamnhay": Khamenei). An "h" after a consonant
    ("kh", "sh") stays."""
    return _undouble(_LONE_H.sub("", text).translate(_VOWELS))


def spelling_similarity(a: str, b: str) -> float:
    """How alike two words are as spellings (0..1): letters, and the same sound by English,
    French or German conventions ("zang" ~ "zhang" more than "zang" ~ "gang")."""
    score = _string_sim(a, b)
    for la in _loose(a):
        for lb in _loose(b):
            score = max(score, 0.95 if la == lb else 0.95 * _string_sim(la, lb))
    return score


# (the functions themselves: compiled, a call through their class looks each up first)
_osa_distance: Final = OSA.distance
_jaro_winkler: Final = JaroWinkler.similarity


def edit_distance(a: str, b: str) -> int:
    """The optimal string alignment distance of two words: letters added, dropped, changed, or
    two adjacent ones swapped."""
    return int(_osa_distance(a, b))


def _string_sim(a: str, b: str) -> float:
    # Jaro-Winkler forgives a shared prefix too much ("Lind" ~ "Lindemann"); edit distance is
    # harsh on short tokens ("Mosk" ~ "Musk"): blend them
    return 0.6 * (1.0 - _osa_distance(a, b) / max(len(a), len(b))) + 0.4 * _jaro_winkler(a, b)


_SIMS: Final[dict[tuple[_Tok, _Tok], tuple[float, str]]] = {}
_UNLIKE: Final = (0.0, _WEAK)  # two tokens with nothing alike (see _align)


def _sim(a: _Tok, b: _Tok) -> tuple[float, str]:
    """Similarity of two tokens and how they match (memoised: names share many tokens)."""
    key = (a, b)
    found = _SIMS.get(key)
    if found is None:
        if len(_SIMS) > 1_000_000:
            _SIMS.clear()
        found = _SIMS[key] = _token_sim(a, b)
    return found


def _token_sim(a: _Tok, b: _Tok) -> tuple[float, str]:
    if a is b or (a.text and a.text == b.text) or a.form == b.form:
        return 1.0, _EXACT
    if a.kind == _NUMBER or b.kind == _NUMBER:
        if a.kind == b.kind and not a.syms.isdisjoint(b.syms):
            return 1.0, _SYMBOL
        return 0.0, _WEAK
    if a.kind == _INITIAL or b.kind == _INITIAL:
        initial, full = (a, b) if a.kind == _INITIAL else (b, a)
        if full.kind == _NAME and full.text.startswith(initial.text):
            return 0.9, _INITIAL_OF
        return 0.0, _WEAK
    if a.script == b.script and a.script in _SYLLABIC:
        return 0.0, _WEAK  # one syllable each, and not the same one (김종은 / 김정은)
    ta, tb = a.text, b.text
    if a.syms and b.syms:
        shared = a.syms & b.syms
        if shared:
            # A Chinese syllable has many readings across languages (龍 "long" shares an id
            # with the Korean "ryu"): a short one must look like its partner too
            if ("Han" not in (a.script, b.script) or not ta or not tb or len(ta) > 3 and len(tb) > 3
                    or not all(x.startswith(("NAME:", "NICK:")) for x in shared) or _string_sim(ta, tb) >= 0.5):
                return 0.95, _SYMBOL
        elif a.place and b.place:
            return 0.0, _WEAK  # two different places ("Bank of Armenia" / "Bank of America")
    if not ta or not tb:
        if ta or tb:
            return 0.0, _WEAK
        return _string_sim(a.form, b.form), _TYPO
    dist = _osa_distance(ta, tb)
    lev = 1.0 - dist / max(len(ta), len(tb))
    if lev < 0.3 and a.abjad == b.abjad:
        return 0.0, _WEAK  # even a perfect Jaro-Winkler would not lift it to a pair
    score = 0.6 * lev + 0.4 * _jaro_winkler(ta, tb)
    how = _TYPO
    if score < 0.9 and dist <= 2 and len(a.phon) >= 2 and a.phon == b.phon and ta[0] == tb[0]:
        score, how = 0.9, _PHONETIC
    if score < _SURE and a.loose and b.loose:
        for la in a.loose:
            for lb in b.loose:
                loose = 0.9 if la == lb else 0.95 * _string_sim(la, lb)
                if loose > score:
                    score, how = loose, _PHONETIC
    if a.abjad != b.abjad:
        if len(ta) > 1 and len(tb) > 1:
            sa, sb = _skeleton(ta), _skeleton(tb)
            # consonants alone say less the fewer they are ("mr": Amir or Omar)
            skeleton = (0.9 if min(len(sa), len(sb)) >= 4 else 0.8) * _string_sim(sa, sb) if sa and sb else 0.0
            if skeleton > score:
                score, how = skeleton, _SCRIPT
    elif a.known and b.known and dist > 1 and a.script == b.script:
        # two parts that rigour knows as *different* names, more than a letter apart
        # (Sancho / Sánchez, Ortiz / Ortega, Tigran / Tiger): another name, not a misspelling
        score -= 0.1
    short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if len(short) >= 4 and len(long_) - len(short) >= 3 and long_.startswith(short):
        # a name derived from the other (Ronaldo → Ronaldinho, Vladimir → Vladimirovich)
        score -= 0.1
    return score, how


class _Pair:
    """Two parts aligned, how alike they are and how."""

    __slots__ = ("a", "b", "score", "how", "ia", "ib")

    def __init__(self, a: _Tok, b: _Tok, score: float, how: str, ia: int, ib: int) -> None:
        self.a: Final = a
        self.b: Final = b
        self.score: Final = score
        self.how = how
        self.ia: Final = ia  # position in the query
        self.ib: Final = ib  # position in the candidate


def _pair_sim(a: _Tok, b: _Tok) -> tuple[float, str]:
    """``_sim``, or nothing alike at once for two names with not a third of their letters in
    common (how ``_align`` and ``_hopeless`` compare two different tokens; memoised)."""
    found = _SIMS.get((a, b))
    if found is not None:
        return found
    if (a.kind == b.kind == _NAME and a.abjad == b.abjad and a.syms.isdisjoint(b.syms)
            and 3 * len(a.letters & b.letters) < max(len(a.letters), len(b.letters))):
        _SIMS[(a, b)] = _UNLIKE
        return _UNLIKE
    return _sim(a, b)


def _hopeless(na: _Name, nb: _Name, floor: float) -> bool:
    """True when two person names cannot score ``floor``, found without aligning them: each has
    a part with no counterpart in the other (not similar enough to any of its parts to pair),
    which costs ``_SUBSTITUTED`` per such pair of parts whatever the alignment, and no words
    could be joined to make a counterpart. A bound, never a guess: ``_score`` would give less."""
    if na.kind != "PER" or nb.kind != "PER" or na.spans or nb.spans or not na.toks or not nb.toks:
        return False
    # parts alone on each side that cost more than 1 - floor
    need = 1
    while 1.0 - _SUBSTITUTED * need >= floor:
        need += 1
    if need > len(na.toks) or need > len(nb.toks):
        return False
    if len(_SIMS) > 1_000_000:
        _SIMS.clear()
    if _alone(na.toks, nb.toks, need, True) < need or _alone(nb.toks, na.toks, need, False) < need:
        return False
    return not (_may_join(na.toks, nb.toks) or _may_join(nb.toks, na.toks))


def _alone(toks: tuple[_Tok, ...], other: tuple[_Tok, ...], need: int, query: bool) -> int:
    """How many of ``toks`` that carry weight have no counterpart in ``other`` (none of its
    tokens pairs with them), counted up to ``need``; ``query``: ``toks`` is the query's side
    (similarities are memoised query token first)."""
    alone = 0
    for t in toks:
        if t.weight <= 0:
            continue
        for o in other:
            a, b = (t, o) if query else (o, t)
            if a is b or _pair_sim(a, b)[0] >= _PAIR_MIN:
                break
        else:
            alone += 1
            if alone >= need:
                break
    return alone


def _may_join(toks: tuple[_Tok, ...], other: tuple[_Tok, ...]) -> bool:
    """Whether ``_try_join`` could read adjacent tokens of ``toks`` as one word of ``other``: a
    run of 2 to 4 tokens starting with the letter of a word of ``other`` and as long, give or
    take its slack."""
    if len(toks) < 2:
        return False
    runs = _runs(toks)
    for o in other:
        n = len(o.text)
        if o.kind == _NAME and n > 2:
            slack = max(2, n // 4)
            found = runs.get(o.text[0])
            if found and any(n - slack <= length <= n + slack for length in found):
                return True
    return False


_RUNS: Final[dict[tuple[_Tok, ...], dict[str, set[int]]]] = {}


def _runs(toks: tuple[_Tok, ...]) -> dict[str, set[int]]:
    """The lengths of the runs of 2 to 4 adjacent tokens, by their first letter (memoised)."""
    found = _RUNS.get(toks)
    if found is None:
        if len(_RUNS) > 200_000:
            _RUNS.clear()
        found = {}
        for i in range(len(toks) - 1):
            length = len(toks[i].text)
            for j in range(i + 1, min(len(toks), i + 4)):
                length += len(toks[j].text)
                found.setdefault(toks[i].text[:1], set()).add(length)
        _RUNS[toks] = found
    return found


def _align(qa: list[_Tok], qb: list[_Tok]) -> tuple[list[_Pair], list[int], list[int]]:
    """Greedy one-to-one alignment of the most similar tokens, whatever their order: the same
    tokens first (interned: one object), then the most similar of the rest."""
    pairs = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    positions: dict[_Tok, list[int]] = {}
    for j, b in enumerate(qb):
        positions.setdefault(b, []).append(j)
    for i, a in enumerate(qa):
        free = positions.get(a)
        if free:
            j = free[0] if len(free) == 1 else min(free, key=lambda j: abs(i - j))
            free.remove(j)
            used_a.add(i)
            used_b.add(j)
            pairs.append(_Pair(a, a, 1.0, _EXACT, i, j))
    if len(used_a) < len(qa) and len(used_b) < len(qb):
        cands = []
        sims = _SIMS
        if len(sims) > 1_000_000:
            sims.clear()
        rest_b = [(j, b) for j, b in enumerate(qb) if j not in used_b]
        for i, a in enumerate(qa):
            if i in used_a:
                continue
            for j, b in rest_b:
                found = _pair_sim(a, b)
                if found[0] >= _PAIR_MIN:
                    cands.append((found[0], -abs(i - j), i, j, found[1]))
        if len(cands) > 1:
            cands.sort(reverse=True)
        for s, _, i, j, how in cands:
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            pairs.append(_Pair(qa[i], qb[j], s, how, i, j))
    return pairs, [i for i in range(len(qa)) if i not in used_a], [j for j in range(len(qb)) if j not in used_b]


def _joined(toks: list[_Tok], i: int, j: int, text: str) -> _Tok:
    parts = toks[i : j + 1]
    return _token(text, "".join(t.form for t in parts), frozenset(), _NAME, max(t.weight for t in parts),
                  parts[0].script)


def _try_join(qa: list[_Tok], qb: list[_Tok], pairs: list[_Pair], left_a: list[int],
              left_b: list[int]) -> tuple[list[_Tok], list[_Tok], tuple[int, int]] | None:
    """Read adjacent tokens of one side as one word when they spell a token of the other side
    ("Pol Pot" / "PolPot", "Plat Ono Vich" / "Platonovich"); None when no join helps."""
    score_a = {p.ia: p.score for p in pairs}
    score_b = {p.ib: p.score for p in pairs}
    best = None
    for side, toks, scores, other, other_scores in ((0, qa, score_a, qb, score_b), (1, qb, score_b, qa, score_a)):
        n = len(toks)
        weak = [k for k in range(n) if scores.get(k, 0.0) < _SURE]
        if not weak or n < 2:
            continue
        # tokens of the other side a join could spell: unpaired or weakly paired words
        targets: dict[str, list[tuple[str, float, int, int]]] = {}
        for k, o in enumerate(other):
            old = other_scores.get(k, 0.0)
            if o.kind == _NAME and len(o.text) > 2 and old < _SURE:
                slack = max(2, len(o.text) // 4)
                targets.setdefault(o.text[0], []).append((o.text, old, len(o.text) - slack, len(o.text) + slack))
        if not targets:
            continue
        for i in range(max(0, weak[0] - 3), min(n - 1, weak[-1] + 1)):
            found = targets.get(toks[i].text[:1])
            if not found:
                continue
            length = len(toks[i].text)
            for j in range(i + 1, min(n, i + 4)):
                length += len(toks[j].text)
                if not any(i <= k <= j for k in weak):
                    continue
                text = None
                for ot, other_old, shortest, longest in found:
                    if not shortest <= length <= longest:
                        continue
                    if text is None:
                        text = "".join(t.text for t in toks[i : j + 1])
                    s = _string_sim(text, ot)
                    old = sum(scores.get(x, 0.0) for x in range(i, j + 1)) / (j - i + 1)
                    gain = s - max(old, other_old)
                    if s >= _SURE and gain > 0.05 and (best is None or gain > best[0]):
                        best = (gain, side, i, j, text)
    if best is None:
        return None
    _, side, i, j, text = best
    if side == 0:
        return qa[:i] + [_joined(qa, i, j, text)] + qa[j + 1 :], qb, (0, i)
    return qa, qb[:i] + [_joined(qb, i, j, text)] + qb[j + 1 :], (1, i)


def _phrase_merge(na: _Name, nb: _Name) -> tuple[list[_Tok], list[_Tok]]:
    """Multi-part spans that share a symbol with the other name become one token
    ("People's Liberation Army" ~ "PLA"), unless their parts match on their own."""
    qa: list[_Tok | None] = list(na.toks)
    qb: list[_Tok | None] = list(nb.toks)
    for spans, toks, other, other_singles in ((na.spans, qa, nb.symbols, nb.singles),
                                              (nb.spans, qb, na.symbols, na.singles)):
        for a, b, syms in sorted(spans, key=lambda s: s[0] - s[1]):  # longest first
            run = toks[a : b + 1]
            if b >= len(toks) or any(t is None for t in run):
                continue
            if syms & other and not any(t.syms & other_singles for t in run if t is not None):
                parts = [t for t in run if t is not None]
                toks[a] = _token("".join(t.text for t in parts), "".join(t.form for t in parts), syms, _NAME,
                                 max(t.weight for t in parts), parts[0].script)
                for k in range(a + 1, b + 1):
                    toks[k] = None
    return [t for t in qa if t is not None], [t for t in qb if t is not None]


_ACRONYM: Final = 0.85  # "NATO" for "North Atlantic Treaty Organization": likely, yet acronyms are ambiguous


def _is_acronym(short: _Name, full: _Name) -> bool:
    """True if ``short`` is one word of 2 to 6 letters spelling the initials of the words of
    ``full`` ("KCNA": Korean Central News Agency; "ISIL": Islamic State of Iraq and the Levant)."""
    words = [t for t in short.toks if t.kind not in (_LEGAL, _PARTICLE)]
    if len(words) != 1 or not 2 <= len(words[0].text) <= 6 or not words[0].text.isalpha():
        return False
    initials = [t.text[0] for t in full.toks if t.kind in (_NAME, _GENERIC) and t.text]
    return len(initials) == len(words[0].text) and "".join(initials) == words[0].text


def _is_rotation(order: list[int]) -> bool:
    """True if the matched parts keep their order, up to a block moved from the end to the front
    ("Putin Vladimir" ~ "Vladimir Putin", "LAVROV Sergei Viktorovich")."""
    n = len(order)
    if n < 3:
        return True
    ranks = sorted(order)
    pos = [ranks.index(x) for x in order]
    return any(all(pos[i] == (i + s) % n for i in range(n)) for s in range(n))


# a score, and what explains it: (notes, how the token pairs matched, typo count)
_Scored = tuple[float, tuple[str, ...], frozenset[str], int]


def _score(na: _Name, nb: _Name) -> _Scored:
    if not na.toks or not nb.toks:
        return 0.0, ("no name",), frozenset(), 0
    if na.key == nb.key:
        return 1.0, ("same name",), frozenset(), 0
    if na.kind != "PER" and (_is_acronym(na, nb) or _is_acronym(nb, na)):
        return _ACRONYM, ("acronym",), frozenset(), 0
    if na.spans and not nb.symbols.isdisjoint(x for _, _, syms in na.spans for x in syms) or \
            nb.spans and not na.symbols.isdisjoint(x for _, _, syms in nb.spans for x in syms):
        qa, qb = _phrase_merge(na, nb)
    else:
        qa, qb = list(na.toks), list(nb.toks)
    pairs, left_a, left_b = _align(qa, qb)
    joined: set[tuple[int, int]] = set()
    for _ in range(3):
        if not left_a and not left_b and all(p.score >= _SURE for p in pairs):
            break
        if len(qa) > 1 and len(qb) > 1 and not any(p.score >= _SURE for p in pairs):
            break  # nothing in common to anchor a join ("Pol Pot" / "PolPot" has one side of one word)
        tried = _try_join(qa, qb, pairs, left_a, left_b)
        if tried is None:
            break
        qa, qb, where = tried
        joined.add(where)
        pairs, left_a, left_b = _align(qa, qb)
    for p in pairs:
        if (0, p.ia) in joined or (1, p.ib) in joined:
            p.how = _JOINED if p.score >= _SURE else p.how
    return _combine(na, nb, qa, qb, pairs, left_a, left_b)


def _combine(na: _Name, nb: _Name, qa: list[_Tok], qb: list[_Tok], pairs: list[_Pair], left_a: list[int],
             left_b: list[int]) -> _Scored:
    person = na.kind == "PER"
    total = mass = penalty = 0.0
    paired = 0
    weakest = None
    for p in pairs:
        w = p.a.weight if p.a.weight > p.b.weight else p.b.weight
        if w <= 0:
            continue
        total += w
        mass += p.score * w
        paired += 1
        if p.score < _SURE:  # a weak pair is partly two different words
            penalty += _SUBSTITUTED * min(1.0, (_SURE - p.score) / (_SURE - _PAIR_MIN)) * w
            if weakest is None or p.score < weakest.score:
                weakest = p
    if total <= 0:
        return 0.0, ("nothing in common",), frozenset(), 0
    reasons = []
    if weakest is not None and weakest.score < (_SURE + _PAIR_MIN) / 2:
        reasons.append(f"different name part ({_show(weakest.a)} ≠ {_show(weakest.b)})")
    # unpaired tokens that carry identity; with a name read syllable by syllable, every syllable
    # does ("Pak Do Chun" / "박수진": "do" is no particle) and a syllable less is another name
    syllabic = na.syllabic or nb.syllabic
    ia = [i for i in left_a if qa[i].weight > 0 or syllabic and qa[i].kind == _PARTICLE]
    ib = [j for j in left_b if qb[j].weight > 0 or syllabic and qb[j].kind == _PARTICLE]
    ua, ub = [qa[i] for i in ia], [qb[j] for j in ib]
    # a part on each side with no counterpart: another person (Kim Jong Nam / Kim Jong Un)
    sub = min(len(ua), len(ub))
    if sub:
        # a different number is weak evidence: one sponsor's series of funds or trusts
        numbers = min(sum(1 for t in ua if t.kind == _NUMBER), sum(1 for t in ub if t.kind == _NUMBER))
        penalty += _SUBSTITUTED * (sub - numbers) + 0.15 * numbers
        ta, tb = max(ua, key=_weight), max(ub, key=_weight)
        reasons.append(f"different name part ({_show(ta)} ≠ {_show(tb)})")
    extra = (ua if len(ua) > len(ub) else ub)[sub:]
    if extra:
        where, toks = (ia, qa) if len(ua) > len(ub) else (ib, qb)
        middle = all(0 < i < len(toks) - 1 for i in where[sub:])
        share = len(extra) / (len(extra) + paired)
        if syllabic:
            penalty += _SUBSTITUTED * len(extra)
            reasons.append("syllables missing")
        elif person:
            # a middle name or patronymic less: little, unless most of the name is missing;
            # one word found in a longer name ("John" in "John Terry") is no evidence
            penalty += 0.2 * share + max(0.0, share - 0.5) + (0.2 if paired == 1 else 0.0)
            if not sub:
                what = "middle name" if middle else "name part"
                reasons.append(f"missing {what} ({_show(extra[0])})" if len(extra) == 1
                               else f"{len(extra)} {what}s missing")
        else:
            # a word more is often another company of a group ("Gazprom Neft", "Deutsche Bank
            # Trust Company"), less so a generic word or a number; more so next to a one-word name
            distinctive = sum(1 for t in extra if t.kind == _NAME)
            penalty += (0.25 * distinctive + 0.15 * (len(extra) - distinctive) + 0.3 * max(0.0, share - 0.5)
                        + (0.1 if paired == 1 else 0.0))
            if not sub:
                reasons.append(f"extra word ({_show(extra[0])})" if len(extra) == 1 else "extra words")
    if person:
        if _INITIAL_OF in {p.how for p in pairs}:
            penalty += 0.1  # "A. Ahmed" may be Alf or Ali Ahmed
        if paired >= 2:
            order = [p.ib for p in sorted(pairs, key=_query_position) if p.a.kind == _NAME and p.b.kind == _NAME]
            if not _is_rotation(order):
                penalty += 0.25
                reasons.append("name parts in another order")
            elif order != sorted(order):
                reasons.insert(0, "name order differs")
    elif na.legal and nb.legal and na.legal.isdisjoint(nb.legal):
        # one name, other legal forms: often a parent and its foreign subsidiary (a screening hit
        # to review, not a link)
        penalty += 0.25
        reasons.append("different legal form")
    score = mass / total - penalty
    content = [p for p in pairs if p.a.weight > 0 or p.b.weight > 0]
    typos = sum(1 for p in content if p.how == _TYPO and p.score >= (_SURE + _PAIR_MIN) / 2)
    return (score if score > 0.0 else 0.0), tuple(reasons), frozenset(p.how for p in content), typos


def _weight(t: _Tok) -> float:
    return t.weight


def _query_position(p: _Pair) -> int:
    return p.ia


def _show(t: _Tok) -> str:
    return t.text or t.form


def _why(na: _Name, nb: _Name, reasons: tuple[str, ...], hows: frozenset[str], typos: int) -> str:
    if reasons in (("same name",), ("no name",), ("nothing in common",)):
        return reasons[0]
    notes = []
    if na.scripts != nb.scripts:
        notes.append("same name in another script")
    elif hows & {_SYMBOL, _PHONETIC, _SCRIPT}:
        notes.append("spelling variant")
    if typos:
        notes.append("typo in one token" if typos == 1 else f"typos in {typos} tokens")
    if _INITIAL_OF in hows:
        notes.append("initials")
    if _JOINED in hows:
        notes.append("words joined or split")
    notes.extend(reasons)
    return "; ".join(notes) if notes else "same tokens"


@lru_cache(maxsize=200_000)
def _cached_score(na: _Name, nb: _Name) -> _Scored:
    return _score(na, nb)


def match(query: str, names: Iterable[str], schema: str | None = None) -> NameMatch:
    """The best match of ``query`` among ``names`` (an entity's names and aliases).

    ``schema`` is a FollowTheMoney schema name ("Person", "Company", "Organization",
    "Vessel"...); without one (or with "LegalEntity"), the names are read as an
    organisation's when one of them has a legal form ("LLC", "GmbH"), else as a person's.
    """
    names = [n or "" for n in names]
    kind = _kind(schema, [query or "", *names])
    return match_read(_analyse(query or "", kind), [(name, _analyse(name, kind)) for name in names])


def match_read(query: _Name, names: Iterable[tuple[str, _Name]], floor: float | None = None) -> NameMatch:
    """``match`` on names already read: ``query`` by ``read_query`` or ``read_name``, the
    candidates as ``(name, read name)``. A candidate read as another kind of name (a person's
    name stored for an entity now searched as an organisation) is read again. With ``floor``,
    names that surely score under it are not scored (``_hopeless``): when all are, the match
    scores 0 ("under the floor")."""
    best: Scored | None = None
    for name, candidate in names:
        scored = score_read(query, name, candidate, floor)
        if scored is not None and (best is None or scored.score > best.score):
            best = scored
            if scored.score >= 1.0:
                break
    if best is None:
        return NameMatch(0.0, "", "under the floor" if floor is not None else "no name")
    return NameMatch(round(best.score, 4), best.name if best.score > 0 else "", best.why())


class Scored:
    """One candidate name scored against a query (``score_read``); ``why()`` explains it."""

    __slots__ = ("name", "query", "candidate", "details")

    def __init__(self, name: str, query: _Name, candidate: _Name, details: _Scored) -> None:
        self.name: Final = name
        self.query: Final = query
        self.candidate: Final = candidate
        self.details: Final = details  # (score, reasons, how the parts matched, typos)

    def __repr__(self) -> str:
        return f"Scored({self.name!r}, {self.details!r})"

    def named(self, name: str) -> Scored:
        """The same score, of another name read the same ("IVANOV, Igor" for "Igor Ivanov")."""
        return Scored(name, self.query, self.candidate, self.details)

    @property
    def score(self) -> float:
        """The score, unrounded."""
        return self.details[0]

    def why(self) -> str:
        _, reasons, hows, typos = self.details
        return _why(self.query, self.candidate, reasons, hows, typos)


def score_read(query: _Name, name: str, candidate: _Name, floor: float | None = None,
               cached: bool = True) -> Scored | None:
    """``match_read`` of one candidate name; None when it surely scores under ``floor``.
    ``cached``: keep the score for the same two names read (a caller that keeps its own, as a
    knowledge-base search does per query, passes False: the cache would only grow)."""
    if candidate.kind != query.kind:
        candidate = _analyse(name, query.kind)
    if floor is not None and _hopeless(query, candidate, floor):
        return None
    return Scored(name, query, candidate, _cached_score(query, candidate) if cached else _score(query, candidate))


def clear_caches() -> None:
    """Empty the caches of read names, keys and scores (a loader reads each name once: its
    worker processes clear them after each batch rather than hold memory for nothing)."""
    for cached in (_analyse, name_keys, load_name, _cached_score, _org_tokens, normalise, _skeleton, _sound, _loose):
        cached.cache_clear()
    _SIMS.clear()
    _TOKENS.clear()
    _RUNS.clear()
    _LOADED.clear()
    _TOKEN_KEYS.clear()


_SCRIPT_SAMPLES: Final = ("Путин", "محمد", "משה", "习近平", "김정은", "ኣሕመድ", "मोदी", "ทักษิณ", "Τσίπρας", "ბარაკ", "Հայկ")


def warm_up(background: bool = False) -> threading.Thread | None:
    """Load rigour's name tagger now rather than at the first name read.

    The first person name costs seconds (rigour builds its tagger of given and family names
    once per process: 1.5 s on a fast machine, up to 10 s on a busy one). With ``background``
    the build runs in a daemon thread, which overlaps other start-up work such as loading spaCy
    (the build releases the GIL); the thread is returned.
    """
    def build() -> None:
        analyze_names(NameTypeTag.PER, ["Warm Up"], consolidate=False)
        analyze_names(NameTypeTag.ORG, ["Warm Up Ltd"], consolidate=False)
        for sample in _SCRIPT_SAMPLES:  # ICU builds a transliterator per script on first use
            ascii_text(sample)

    if not background:
        build()
        return None
    thread = threading.Thread(target=build, name="veille-names-warm-up", daemon=True)
    thread.start()
    return thread
