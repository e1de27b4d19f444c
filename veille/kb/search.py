"""Finding knowledge-base entities by name, one name or thousands at a time.

``KnowledgeBase.search`` and ``screen`` call ``Searcher.search`` with a list of names. The
names go through each step together, so that every step costs one SQL statement for the
whole batch rather than one per name (a statement costs 50-200 µs however little it reads):

1. *Read* each name (``veille.kb.names.read_query``): a person's name without rigour's tagger,
   its parts taking their symbols from the knowledge base's vocabulary (``kb_vocabulary``).
2. *Keys*: the blocking keys of each part of the name ("gonzalez", its sound "~KNSLS", the
   name ids it spells), grouped by part, then those of the whole name. Their posting-list
   lengths come from ``kb_key_counts``; a part the index lacks (a typo? someone unlisted?)
   is looked up among the index words one or two edits away (``kb_key_deletions``). Each key
   weighs its rarity, ``log(1 + entities / postings)``.
3. *Candidates*: the entities having a rare key (``POSTING_CAP`` entities or fewer), weighted
   by the best key they have of each group. A common key ("mohammed") is never read whole:
   it only credits the best candidates found, unless the name has no rare key of its own
   (then the entities having its two rarest common keys are read, ``CANDIDATES`` at most).
4. *Filter* by schema and topics (sanctions), heaviest first, and *score* the best
   candidates' names with ``veille.kb.names.match_read``, on the names stored already read.

Counts, vocabulary and typo neighbours are cached per knowledge base until its next load.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from veille.kb import names as _names

if TYPE_CHECKING:
    from veille.kb import Candidate, KnowledgeBase

#: names searched together (one SQL statement per step for all of them)
BATCH = 256
#: a key shared by more entities than this only re-weights candidates found by rarer keys
POSTING_CAP = 250
#: candidates taken from the index per name, before weighing and filtering them
CANDIDATES = 200
#: postings read whole per name, its rarest keys first (the first key is always read)
READ_BUDGET = 100000000
#: candidates credited with the name's common keys, the heaviest by rare keys first
CREDITED = 40
#: a candidate whose key weight is under this share of the best one's is not scored
MIN_WEIGHT_SHARE = 0.6
#: candidates scored with ``match_read`` per name: this many, or ``limit`` + half of it
MIN_SCORED = 8
#: names of one candidate scored, those sharing the most keys with the query first
NAMES_SCORED = 3
#: a weak alias ("weakAlias", "abbreviation") scores this much of its match
WEAK_FACTOR = 0.9
#: a query word missing from the index is looked up among index words this long or longer...
FUZZY_MIN_LENGTH = 4
#: ... and this long or shorter (index words longer than this get no deletion variants)...
FUZZY_MAX_LENGTH = 24
#: ... at most this many of them (the most alike)...
FUZZY_KEYS = 12
#: ... and a word the index has for this many entities or fewer is looked up too...
RARE_WORD = 2
#: ... and a rare word whose neighbours are this many times as common is read as a typo of them
TYPO_RATIO = 20
#: ... each neighbour weighing this share of the rarity of the most common of them
FUZZY_FACTOR = 0.8
#: entries of each cache (key counts, vocabulary, typo neighbours) before it is emptied
CACHE_SIZE = 200_000

# the reading of a query that candidates of a schema are scored with (other schemata: the
# only reading, or the person one)
_SCHEMA_READINGS = {"Person": "Person", "Organization": "Organization", "Company": "Organization",
                    "PublicBody": "Organization"}

_KEY_COUNTS = "SELECT key, n FROM kb_key_counts WHERE key IN (SELECT value FROM json_each(?))"
_VOCABULARY = "SELECT form, symbols FROM kb_vocabulary WHERE form IN (SELECT value FROM json_each(?))"
_KEY_POSTINGS = "SELECT key, entity FROM kb_keys WHERE key IN (SELECT value FROM json_each(?))"
_POSTINGS = "SELECT entity FROM kb_keys WHERE key = ? LIMIT ?"
_BOTH_KEYS = """SELECT a.entity FROM kb_keys a JOIN kb_keys b ON b.key = ? AND b.entity = a.entity
    WHERE a.key = ? LIMIT ?"""
# which of these (key, entity) pairs the index has: one primary-key probe each
_PAIRS = """SELECT p.k, p.e FROM (SELECT value ->> 0 AS k, value ->> 1 AS e FROM json_each(?)) p
    CROSS JOIN kb_keys ON kb_keys.key = p.k AND kb_keys.entity = p.e"""
# words sharing a one-letter deletion with a query word, or equal to one of its deletions
_NEAR_DELETIONS = """SELECT variant, key FROM kb_key_deletions WHERE variant IN (SELECT value FROM json_each(?1))
    UNION SELECT key, key FROM kb_key_counts WHERE key IN (SELECT value FROM json_each(?1))"""
_NEAR_HEAD = """SELECT key FROM kb_key_counts INDEXED BY kb_key_counts_head
    WHERE substr(key, 1, 3) = ? AND length(key) BETWEEN ? AND ?"""
_CANDIDATES = """SELECT seq, id, schema, caption, datasets, topics, countries, qid FROM kb_entities
    WHERE seq IN (SELECT value FROM json_each(:seqs))"""
_IN_SCHEMATA = " AND schema IN (SELECT value FROM json_each(:schemata))"
_WITH_TOPICS = """ AND EXISTS (SELECT 1 FROM json_each(kb_entities.topics) t
    WHERE t.value IN (SELECT value FROM json_each(:topics)))"""
_CANDIDATE_NAMES = """SELECT entity, name, weak, keys, parsed FROM kb_names
    WHERE entity IN (SELECT value FROM json_each(?))"""

# a key group: key -> (entities with it, weight, exact: the part is spelled as an index word)
_Group = dict[str, tuple[int, float, bool]]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fuzzy_word(key: str) -> bool:
    """Whether an index key is a word that typos are looked up for (``kb_key_deletions``)."""
    return FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH and key.isascii() and key.isalnum() and key == key.lower()


def deletions(word: str) -> set[str]:
    """The word with one letter deleted, at each position."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass
class _Query:
    """One name on its way through the steps."""

    name: str
    readings: dict[str, Any] = field(default_factory=dict)  # "Person"/"Organization" -> read name
    parts: list[set[str]] = field(default_factory=list)  # keys by part of the name
    whole: list[str] = field(default_factory=list)  # keys of the whole name
    groups: list[_Group] = field(default_factory=list)
    own: list[set[str]] = field(default_factory=list)  # per group, the keys of the part itself
    parts_groups: list[int] = field(default_factory=list)  # the groups of parts (the others: whole name)
    weights: dict[int, float] = field(default_factory=dict)  # candidate -> key weight
    parts_weights: dict[int, float] = field(default_factory=dict)  # the same, of the parts' keys only
    rows: list[tuple] = field(default_factory=list)  # candidate entities kept, heaviest first


class Searcher:
    """The search side of a ``KnowledgeBase`` (one per knowledge base: it holds the caches)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._counts: dict[str, int] = {}
        self._vocabulary: dict[str, frozenset[str]] = {}
        self._near: dict[str, list[str]] = {}
        self._total: int | None = None

    def reset(self) -> None:
        """Forget what the caches hold (the knowledge base changed)."""
        self._counts, self._vocabulary, self._near, self._total = {}, {}, {}, None

    def search(self, names: Sequence[str], schema: str | None, limit: int, topics: list[str] | None,
               threshold: float, allowed: list[str] | None) -> list[list[Candidate]]:
        """For each name, the candidates at ``threshold`` or above, best first (``allowed``:
        the schemata a candidate may have, None for any)."""
        kinds = [schema] if schema else ["Person", "Organization"]
        out: list[list[Candidate]] = []
        for start in range(0, len(names), BATCH):
            queries = [_Query(name) for name in names[start:start + BATCH]]
            self._read(queries, kinds)
            self._weigh(queries)
            self._find(queries)
            wanted = max(MIN_SCORED, limit + MIN_SCORED // 2)
            self._filter(queries, allowed, topics, wanted)
            out += self._score(queries, threshold, limit)
        return out

    # -- steps ---------------------------------------------------------------------

    def _read(self, queries: list[_Query], kinds: list[str]) -> None:
        """Read every name, the symbols of person-name parts looked up in one statement."""
        if "Person" in kinds:
            self._lookup_vocabulary({form for q in queries for form in _names.query_forms(q.name, "Person")})
        vocabulary = self._vocabulary

        def symbols(wanted: list[str]) -> dict[str, frozenset[str]]:
            return {form: vocabulary[form] for form in wanted if vocabulary.get(form)}

        for q in queries:
            q.readings = {kind: _names.read_query(q.name, kind, symbols) for kind in kinds}
            whole: list[str] = []
            for reading in q.readings.values():
                parts, keys_of_whole = _names.key_groups(reading)
                for group in parts:
                    if not any(group <= g for g in q.parts):
                        q.parts.append(set(group))
                whole += keys_of_whole
            q.whole = [key for key in dict.fromkeys(whole) if not any(key in g for g in q.parts)]

    def _weigh(self, queries: list[_Query]) -> None:
        """Posting-list lengths and weights of every key; typo neighbours of the parts the
        index does not know."""
        self._lookup_counts({key for q in queries for g in q.parts for key in g} | {k for q in queries for k in q.whole})
        counts = self._counts
        # a part the index lacks, or has for one or two entities only (a typo can spell another
        # rare word: "dadanmi" for "dandanmi")
        missing = {key for q in queries for g in q.parts for key in g
                   if counts.get(key, 0) <= RARE_WORD and key.isalnum() and fuzzy_word(key)}
        self._lookup_near(missing)
        total = max(self._entities(), 1)
        for q in queries:
            q.groups, q.own, q.parts_groups = [], [], []
            for i, group in enumerate([*q.parts, *({k} for k in q.whole)]):
                # a part spelled as no indexed word (a typo? someone unlisted?): its sound and
                # name ids are weaker evidence, like its neighbours
                confirmed = all(counts.get(key) for key in group if key.isalnum())
                weighted = {key: (counts[key], math.log(1 + total / counts[key]), confirmed)
                            for key in group if counts.get(key)}
                neighbours = {}
                for key in group if i < len(q.parts) else ():
                    near = {word: counts[word] for word in self._near.get(key, ()) if counts.get(word)}
                    if not near:
                        continue
                    # a neighbour weighs as much as it looks like the word, not by its rarity
                    # (a rare neighbour is no likelier: "zang" is "zhang" rather than "gang")
                    rarity = FUZZY_FACTOR * math.log(1 + total / max(near.values()))
                    for word, n in near.items():
                        neighbours.setdefault(word, (n, rarity * _names.spelling_similarity(key, word), False))
                own = max((counts.get(key, 0) for key in group if key.isalnum()), default=0)
                if neighbours and confirmed and own and max(n for n, _, _ in neighbours.values()) >= TYPO_RATIO * own:
                    # "garia" for five people, "garcia" for thousands: most likely a typo
                    confirmed = False
                    weighted = {key: (n, w, False) for key, (n, w, _) in weighted.items()}
                if neighbours and not confirmed:
                    # a misspelt part: the index words it is a typo of say more than its sound or
                    # name ids, which are rarer than the word itself ("garciia": "~KRS" is rarer
                    # than "garcia", yet "garcia" is what was meant)
                    weighted = {**neighbours, **{key: value for key, value in weighted.items() if key.isalnum()}}
                elif neighbours:  # a rare word, maybe a typo of another
                    weighted = {**neighbours, **weighted}
                if weighted:
                    if i < len(q.parts):
                        q.parts_groups.append(len(q.groups))
                    q.groups.append(weighted)
                    q.own.append(group)

    def _find(self, queries: list[_Query]) -> None:
        """Candidates of each name and their weights (see the module's docstring)."""
        db = self.kb._db
        wanted: dict[str, list[tuple[int, int, float]]] = {}  # rare key -> (query, group, weight)
        probes: list[dict[str, list[tuple[int, float]]]] = [{} for _ in queries]  # key -> (group, weight)
        found: list[dict[int, dict[int, float]]] = [{} for _ in queries]
        for qi, q in enumerate(queries):
            rare = []
            for g, group in enumerate(q.groups):
                # keys of one part with as many entities are (nearly always) one posting list
                # read again: "gonzalez", its sound and the name id it spells: read one (but
                # every neighbour of a misspelt part: they are other words)
                own = q.own[g]
                seen: set[int] = set()
                for key, (n, w, _) in sorted(group.items(), key=lambda item: not item[0].isalnum()):
                    if n <= POSTING_CAP and (key not in own or n not in seen):
                        if key in own:
                            seen.add(n)
                        rare.append((n, key, g, w))
            # the rarest keys are read whole, up to READ_BUDGET postings; the longer lists only
            # credit the candidates found (as common keys do)
            read = 0
            for n, key, g, w in sorted(rare):
                if read < READ_BUDGET:
                    wanted.setdefault(key, []).append((qi, g, w))
                    read += n
                else:
                    probes[qi].setdefault(key, []).append((g, w))
        if wanted:
            # the postings of the rare keys, read flat and summed here (a GROUP BY in SQL costs
            # three times as much)
            for key, entity in db.execute(_KEY_POSTINGS, (_dumps(sorted(wanted)),)):
                for qi, g, w in wanted[key]:
                    mine = found[qi].get(entity)
                    if mine is None:
                        mine = found[qi][entity] = {}
                    if w > mine.get(g, 0.0):
                        mine[g] = w
        credit: list[tuple[int, dict[str, list[tuple[int, float]]], list[int]]] = []
        for qi, q in enumerate(queries):
            best = found[qi]
            if len(best) > CANDIDATES:
                kept = sorted(best, key=lambda e: -sum(best[e].values()))[:CANDIDATES]
                best = found[qi] = {entity: best[entity] for entity in kept}
            groups = q.groups
            # per group with common keys: its most common key of the part itself (any spelling),
            # with its weight
            common = {}
            for g, group in enumerate(groups):
                mine = [(key, n, w) for key, (n, w, _) in group.items() if n > POSTING_CAP and key in q.own[g]]
                if mine:
                    common[g] = max(mine, key=lambda x: x[1])
            by_key = probes[qi]
            for g, group in enumerate(groups):  # and every common neighbour of a misspelt part
                for key, (n, w, _) in group.items():
                    if n > POSTING_CAP and key not in q.own[g]:
                        by_key.setdefault(key, []).append((g, w))
            confirmed = any(n <= POSTING_CAP and exact for group in groups for n, _, exact in group.values())
            by_rare = list(best)
            if not confirmed:
                self._seed(_seed_keys(q), best)
            for g, (key, _, w) in common.items():
                by_key.setdefault(key, []).append((g, w))
            if len(best) > 1 and by_key:
                # the CREDITED heaviest found by rare keys, and those tied with the last of them
                # (CANDIDATES at most); the same of those found by common keys only
                seeded = [e for e in best if e not in set(by_rare)]
                heaviest = _heaviest(by_rare, best, CANDIDATES) + _heaviest(seeded, best, CANDIDATES)
                credit.append((qi, by_key, heaviest))
        if credit:
            # credit the common keys to the heaviest candidates, for all names in one statement
            pairs = sorted({(key, e) for _, by_key, heaviest in credit for key in by_key for e in heaviest})
            having: dict[int, set[str]] = {}
            for key, entity in db.execute(_PAIRS, (_dumps(pairs),)):
                having.setdefault(entity, set()).add(key)
            for qi, by_key, heaviest in credit:
                best = found[qi]
                for entity in heaviest:
                    mine = best[entity]
                    for key in having.get(entity, ()):
                        for g, w in by_key.get(key, ()):
                            if w > mine.get(g, 0.0):
                                mine[g] = w
        for qi, q in enumerate(queries):
            q.weights = {entity: sum(mine.values()) for entity, mine in found[qi].items()}
            parts = len(q.parts_groups)
            q.parts_weights = {entity: sum(w for g, w in mine.items() if g < parts)
                               for entity, mine in found[qi].items()}

    def _seed(self, seeds: dict[int, tuple[tuple[str, int, float], tuple[str, int, float]]],
              best: dict[int, dict[int, float]]) -> None:
        """A name with no rare key of its own: the entities having the seed key of its rarest
        part and the broad key of its next rarest (or the seed key's only, when no entity has
        both), CANDIDATES at most (see ``_seed_keys``)."""
        if not seeds:
            return
        db = self.kb._db
        by_rarity = sorted(seeds, key=lambda g: seeds[g][0][1])
        g1 = by_rarity[0]
        seed, _, w1 = seeds[g1][0]
        found: list[tuple[int, int, float]] = []
        if len(by_rarity) > 1:
            g2 = by_rarity[1]
            other, _, w2 = seeds[g2][1]
            for (entity,) in db.execute(_BOTH_KEYS, (other, seed, CANDIDATES)):
                found += [(entity, g1, w1), (entity, g2, w2)]
        if not found:
            found = [(entity, g1, w1) for (entity,) in db.execute(_POSTINGS, (seed, CANDIDATES))]
        for entity, g, w in found:
            mine = best.setdefault(entity, {})
            mine[g] = max(w, mine.get(g, 0.0))

    def _filter(self, queries: list[_Query], schemata: list[str] | None, topics: list[str] | None,
                wanted: int) -> None:
        """Keep the best-weighted candidates of each name that pass the filters, at most
        ``wanted``, none under MIN_WEIGHT_SHARE of the best one's weight; rounds of one
        statement for all names, until each has enough or has no more."""
        sql, params = _CANDIDATES, {}
        if schemata is not None:
            sql += _IN_SCHEMATA
            params["schemata"] = _dumps(schemata)
        if topics is not None:
            sql += _WITH_TOPICS
            params["topics"] = _dumps(topics)
        chunk = 2 * wanted
        ranked = [sorted(q.weights, key=q.weights.__getitem__, reverse=True) for q in queries]
        # the floor weighs the parts' keys only: the keys of the whole name (the name in one
        # word) single out the entities of the very same name, which must not push out the
        # variants ("Mohammed Omar Bamoani" for "Mohammed Bamoani")
        floors = [0.0] * len(queries)
        open_ = [qi for qi in range(len(queries)) if ranked[qi]]

        def weight(q: _Query, seq: int) -> float:
            return q.parts_weights.get(seq) or q.weights[seq]

        for start in range(0, 8 * chunk, chunk):
            asked = {qi: [s for s in ranked[qi][start:start + chunk] if weight(queries[qi], s) >= floors[qi]]
                     for qi in open_}
            asked = {qi: seqs for qi, seqs in asked.items() if seqs}
            if not asked:
                break
            seqs = sorted({s for mine in asked.values() for s in mine})
            rows = {row[0]: tuple(row) for row in self.kb._db.execute(sql, {**params, "seqs": _dumps(seqs)})}
            open_ = []
            for qi, mine in asked.items():
                q = queries[qi]
                for seq in mine:  # heaviest first
                    row = rows.get(seq)
                    if row is None:
                        continue
                    if not q.rows:
                        floors[qi] = weight(q, seq) * MIN_WEIGHT_SHARE
                    if weight(q, seq) >= floors[qi]:
                        q.rows.append(row)
                if len(q.rows) < wanted and len(mine) == chunk:
                    open_.append(qi)
        for q in queries:
            del q.rows[wanted:]

    def _score(self, queries: list[_Query], threshold: float, limit: int) -> list[list[Candidate]]:
        from veille.kb import Candidate

        seqs = sorted({row[0] for q in queries for row in q.rows})
        names: dict[int, list[tuple[str, int, list[str], str]]] = {}
        if seqs:
            for entity, name, weak, keys, parsed in self.kb._db.execute(_CANDIDATE_NAMES, (_dumps(seqs),)):
                names.setdefault(entity, []).append((name, weak, json.loads(keys), parsed))
        out = []
        for q in queries:
            # per group, its keys heaviest first
            needles = [sorted(((key, w) for key, (_, w, _) in group.items()), key=lambda x: -x[1])
                       for group in q.groups]
            found = []
            perfect = 0
            for seq, entity_id, schema, caption, datasets, topics, countries, qid in q.rows:
                if perfect >= limit:  # candidates come heaviest first: the others can only tie
                    break
                # the names sharing the most with the query first; of those, the ones with the
                # fewest other keys (the closest: "Роснефть" before "NK Rosneft" for "Rosneft")
                mine = [(name, weak, _shared(needles, set(keys)) - 1e-3 * len(keys), parsed)
                        for name, weak, keys, parsed in names.get(seq, [])]
                reading = q.readings.get(_SCHEMA_READINGS.get(schema, "")) or next(iter(q.readings.values()))
                best = _best_name(reading, mine)
                if best is None or best[0] < threshold:
                    continue
                score, matched, why = best
                perfect += score >= 1.0
                found.append((-score, -q.weights[seq], entity_id, Candidate(
                    id=entity_id, name=caption, schema=schema, score=round(score, 4), matched_name=matched,
                    why=why, datasets=json.loads(datasets), topics=json.loads(topics),
                    countries=json.loads(countries), qid=qid)))
            found.sort(key=lambda item: item[:3])
            out.append([item[3] for item in found[:limit]])
        return out

    # -- lookups, cached -------------------------------------------------------------

    def _entities(self) -> int:
        if self._total is None:
            (self._total,) = self.kb._db.execute("SELECT count(*) FROM kb_entities").fetchone()
        return self._total

    def _lookup_counts(self, keys: Iterable[str]) -> None:
        for key, n in _missing(self._counts, keys, lambda missing: dict(
                self.kb._db.execute(_KEY_COUNTS, (_dumps(missing),)))).items():
            self._counts[key] = n or 0

    def _lookup_vocabulary(self, forms: Iterable[str]) -> None:
        for form, symbols in _missing(self._vocabulary, forms, lambda missing: dict(
                self.kb._db.execute(_VOCABULARY, (_dumps(missing),)))).items():
            self._vocabulary[form] = frozenset(json.loads(symbols)) if symbols else frozenset()

    def _lookup_near(self, words: Iterable[str]) -> None:
        """Index words one edit (a letter added, dropped, changed, or two swapped) from each
        word, closest first: "gonzaez" → "gonzalez", "lvarov" → "lavrov"; for words of 8
        letters or more with none, two edits among the words that start with the same 3
        letters. Their counts are looked up too."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        near = self._near
        missing = list(_missing(near, words, lambda missing: {}))
        if not missing:
            return
        variants: dict[str, list[str]] = {}
        for word in missing:
            for variant in (word, *deletions(word)):
                variants.setdefault(variant, []).append(word)
        candidates: dict[str, set[str]] = {word: set() for word in missing}
        for variant, key in self.kb._db.execute(_NEAR_DELETIONS, (_dumps(sorted(variants)),)):
            for word in variants.get(variant, ()):
                candidates[word].add(key)
        for word in missing:
            # every word one edit away, the FUZZY_KEYS most alike ("kateero" for "katero" before
            # "kapero": short words have dozens of neighbours in a big list)
            close = [w for w, _, _ in process.extract(word, sorted(candidates[word]), scorer=OSA.distance,
                                                      score_cutoff=1, limit=None) if w != word]
            found = sorted(close, key=lambda w: (-_names.spelling_similarity(word, w), w))[:FUZZY_KEYS]
            if not found and len(word) >= 8:
                rows = self.kb._db.execute(_NEAR_HEAD, (word[:3], len(word) - 2, len(word) + 2))
                found = [w for w, _, _ in process.extract(word, [w for (w,) in rows], scorer=OSA.distance,
                                                           score_cutoff=2, limit=FUZZY_KEYS)]
            near[word] = found
        self._lookup_counts(w for word in missing for w in near[word])


def _missing(cache: dict[str, Any], keys: Iterable[str], fetch: Any) -> dict[str, Any]:
    """The keys a cache lacks, sorted, with what ``fetch(missing)`` found for them (None for
    those it did not); the cache is emptied first when it would grow past CACHE_SIZE."""
    missing = sorted({key for key in keys if key not in cache})
    if not missing:
        return {}
    if len(cache) + len(missing) > CACHE_SIZE:
        cache.clear()
    found = fetch(missing)
    return {key: found.get(key) for key in missing}


def _seed_keys(q: _Query) -> dict[int, tuple[tuple[str, int, float], tuple[str, int, float]]]:
    """Per part with common keys: (its seed key, its broad key) as ``(key, entities, weight)``.
    A part spelled as in the index: its rarest common key, and its most common one (its sound,
    which other spellings share). A misspelt part: the common index word it most looks like,
    both times ("garia": "garcia", not its sound "~KR", which a hundred other names share)."""
    out = {}
    for g, group in enumerate(q.groups):
        near = [(key, n, w) for key, (n, w, _) in group.items() if n > POSTING_CAP and key not in q.own[g]]
        own = [(key, n, w) for key, (n, w, _) in group.items() if n > POSTING_CAP and key in q.own[g]]
        if near:
            word = max(near, key=lambda x: (x[2], x[0]))
            out[g] = (word, word)
        elif own:
            out[g] = (min(own, key=lambda x: (x[1], x[0])), max(own, key=lambda x: (x[1], x[0])))
    return out


def _heaviest(entities: list[int], best: dict[int, dict[int, float]], most: int) -> list[int]:
    """The CREDITED heaviest of ``entities`` and those tied with the last of them, ``most``
    at most."""
    if not entities:
        return []
    ranked = sorted(entities, key=lambda e: -sum(best[e].values()))
    cut = sum(best[ranked[min(CREDITED, len(ranked)) - 1]].values())
    return [e for e in ranked[:most] if sum(best[e].values()) >= cut]


def _shared(needles: list[list[tuple[str, float]]], keys: set[str]) -> float:
    """The summed weight of the query's key groups that ``keys`` has: for each group, the
    weight of its heaviest key found."""
    total = 0.0
    for group in needles:
        for key, weight in group:
            if key in keys:
                total += weight
                break
    return total


def _best_name(query: Any, names: list[tuple[str, int, float, str]]) -> tuple[float, str, str] | None:
    """Score the names of one candidate sharing the most key weight with the query
    (NAMES_SCORED strong and NAMES_SCORED weak ones at most)."""
    best = None
    for weak in (0, 1):
        mine = sorted((n for n in names if n[1] == weak), key=lambda n: -n[2])[:NAMES_SCORED]
        if not mine:
            continue
        result = _names.match_read(query, [(n[0], _names.load_name(n[3])) for n in mine])
        score = result.score * (WEAK_FACTOR if weak else 1.0)
        if result.name and (best is None or score > best[0]):
            best = (score, result.name, result.why + (" (weak alias)" if weak else ""))
    return best

