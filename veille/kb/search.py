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
   Posting lists are slices of the packed index (``veille.kb.packed``), merged and summed by
   the C kernels (``veille/kb/_kernels.c``, one call per step where NumPy needs ten), or by
   NumPy where they are not built: the NumPy code is the reference they match to the bit.
4. *Filter* by schema and topics (sanctions) with the packed index's masks, heaviest first,
   and *score* the best candidates' names with ``veille.kb.names.score_read``, on the names
   stored already read, from the packed index (``PackedNames``: no SQL row per name); a name
   that several candidates share (namesakes: one reading in the index) is scored once.

The steps run with the garbage collector paused (``veille.kb.collector``).

Counts, vocabulary, typo neighbours and the entities two common keys share are cached per
knowledge base until it changes (its packed index has a new generation: a load in this process
or any other).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from veille.kb import collector, native
from veille.kb import names as _names
from veille.kb.packed import Packed, packed_meta, read_packed

if TYPE_CHECKING:
    from veille.kb import Candidate, KnowledgeBase

# Module constants are ``Final``: compiled by mypyc, a ``Final`` name is a constant or a C variable,
# any other a look-up in the module's dictionary at each use (thousands per name searched). Those
# the tests set lower are not.

#: names searched together (one SQL statement per step for all of them)
BATCH: Final = 256
#: a key shared by more entities than this only re-weights candidates found by rarer keys
POSTING_CAP = 250  # (not Final: tests set it lower, as COMMONS_CACHE_SIZE)
#: candidates taken from the index per name, before weighing and filtering them
CANDIDATES = 200  # (not Final, as POSTING_CAP)
#: candidates credited with the name's common keys, the heaviest by rare keys first
CREDITED: Final = 40
#: a candidate whose key weight is under this share of the best one's is not scored
MIN_WEIGHT_SHARE: Final = 0.6
#: candidates scored with ``score_read`` per name: this many, or ``limit`` + half of it
MIN_SCORED: Final = 8
#: names of one candidate scored, those sharing the most keys with the query first
NAMES_SCORED: Final = 3
#: a weak alias ("weakAlias", "abbreviation") scores this much of its match
WEAK_FACTOR: Final = 0.9
#: a query word missing from the index is looked up among index words this long or longer...
FUZZY_MIN_LENGTH: Final = 4
#: ... and this long or shorter (index words longer than this get no deletion variants)...
FUZZY_MAX_LENGTH: Final = 24
#: ... at most this many of them (the most alike)...
FUZZY_KEYS: Final = 12
#: ... and a word the index has for this many entities or fewer is looked up too...
RARE_WORD: Final = 2
#: ... and a rare word whose neighbours are this many times as common is read as a typo of them
TYPO_RATIO: Final = 20
#: ... each neighbour weighing this share of the rarity of the most common of them
FUZZY_FACTOR: Final = 0.8
#: entries of each cache (key counts, vocabulary, typo neighbours) past which it is emptied
#: (before the next batch)
CACHE_SIZE: Final = 200_000
#: entries of the cache of the entities two common keys share, past which it is emptied (200
#: entity numbers each: a cache of CACHE_SIZE of them would hold 160 MB)
COMMONS_CACHE_SIZE = 20_000
#: KiB of SQLite's page cache for a searching connection (the default, 2 MB, keeps too little
#: of the key-count and typo indexes: their look-ups cost a third more)
PAGE_CACHE_KB: Final = 65536
#: bytes of the database a searching connection reads through memory mapping (SQLite's
#: ``mmap_size``; SQLite caps it, at 2 GB in Python's build). A search reads rows scattered
#: over the whole database, most of them in no cache; read by a system call each, a row cost
#: twice as much on this project's virtual machines (13 µs, 6.5 µs mapped), a sixth of a
#: search. The pages mapped are the system's file cache, which reading them by system calls
#: fills as much: they count in the process's resident memory, but belong to no process
MAP_BYTES: Final = 2 << 30

# the reading of a query that candidates of a schema are scored with (other schemata: the
# only reading, or the person one)
_SCHEMA_READINGS: Final = {"Person": "Person", "Organization": "Organization", "Company": "Organization",
                           "PublicBody": "Organization"}

# Each statement reads the rows of a JSON list of keys or entity numbers (sorted, without
# repeats), joined to that list: ``x IN (SELECT value FROM json_each(?))`` would first copy the
# list into a temporary index, which costs a third of the statement for a batch's candidates.
# (CROSS JOIN: SQLite then reads the list first, and seeks each of its values in the table. The
# columns are named with their table's: the list has columns too, "key" and "id" among them.)
_KEY_COUNTS: Final = "SELECT c.key, c.n, c.start FROM json_each(?) AS j CROSS JOIN kb_key_counts AS c ON c.key = j.value"
_VOCABULARY: Final = "SELECT v.form, v.symbols FROM json_each(?) AS j CROSS JOIN kb_vocabulary AS v ON v.form = j.value"
# words sharing a one-letter deletion with a query word, or equal to one of its deletions (UNION
# ALL: the rows go into sets, and UNION would sort them to drop the few the two parts share)
_NEAR_DELETIONS: Final = """SELECT d.variant, d.key FROM json_each(?1) AS j CROSS JOIN kb_key_deletions AS d
    ON d.variant = j.value
    UNION ALL SELECT c.key, c.key FROM json_each(?1) AS j CROSS JOIN kb_key_counts AS c ON c.key = j.value"""
# the words starting with 3 letters, of a length, as one string (thousands of them on a long list:
# a row each costs more than comparing them all), in the index's order once sorted by length
_NEAR_HEAD: Final = """SELECT group_concat(key, char(31)) FROM kb_key_counts INDEXED BY kb_key_counts_head
    WHERE substr(key, 1, 3) = ? AND length(key) BETWEEN ? AND ?"""
_CANDIDATES: Final = """SELECT e.seq, e.id, e.schema, e.caption, e.datasets, e.topics, e.countries, e.qid
    FROM json_each(?) AS j CROSS JOIN kb_entities AS e ON e.seq = j.value"""

#: a candidate found, as a row: (id, caption, schema, score, matched name, why, datasets, topics,
#: countries, QID). A search makes rows, not ``Candidate`` objects: a worker process sends its
#: rows to the process that asked (pickled, a row is a third of the bytes of a candidate and read
#: several times as fast), which makes them candidates (``candidates``)
Hit = tuple[str, str, str, float, str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None]
#: the inner loops of the candidate step in C (``veille/kb/_kernels.c``), or None: not built,
#: or the Python source asked for (``VEILLE_PURE_PYTHON``); the NumPy code beside each call is
#: the reference, which the kernels match to the bit
_KERNELS: Final[Any] = native.kernels()
# a key group: key -> (entities with it, weight, exact: the part is spelled as an index word)
_Group = dict[str, tuple[int, float, bool]]
_NONE: Final = np.zeros(0, dtype=np.int32)
_WEIGHTS: Final = np.zeros(0)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _numbers(values: list[int]) -> str:
    """Integers as a JSON list (what ``_dumps`` gives, for a third of its cost)."""
    return "[" + ",".join([str(v) for v in values]) + "]"


def fuzzy_word(key: str) -> bool:
    """Whether an index key is a word that typos are looked up for (``kb_key_deletions``)."""
    return FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH and key.isascii() and key.isalnum() and key == key.lower()


def deletions(word: str) -> set[str]:
    """The word with one letter deleted, at each position."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class _Query:
    """One name on its way through the steps (a plain class: see ``veille.kb.names._Tok``)."""

    __slots__ = ("name", "readings", "parts", "whole", "groups", "own", "parts_groups", "candidates", "weights",
                 "parts_weights", "kept")

    def __init__(self, name: str) -> None:
        self.name = name
        self.readings: dict[str, Any] = {}  # "Person"/"Organization" -> read name
        self.parts: list[set[str]] = []  # keys by part of the name
        self.whole: list[str] = []  # keys of the whole name
        self.groups: list[_Group] = []
        self.own: list[set[str]] = []  # per group, the keys of the part itself
        self.parts_groups: list[int] = []  # the groups of parts (the others: whole name)
        # the candidates (entity numbers, ascending), their key weights, and the same of the
        # parts' keys only
        self.candidates: np.ndarray = _NONE
        self.weights: np.ndarray = _WEIGHTS
        self.parts_weights: np.ndarray = _WEIGHTS
        self.kept: list[int] = []  # the candidates kept by the filter, heaviest first


class Searcher:
    """The search side of a ``KnowledgeBase`` (one per knowledge base: it holds the caches)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: Packed | None = None
        self.reset()

    def reset(self) -> None:
        """Forget what the caches hold (the knowledge base changed). The packed index read
        is kept for ``sync``: if the database's is of the same generation, it is the same index
        (each packing draws a new generation), not read again."""
        self._counts: dict[str, int] = {}
        self._starts: dict[str, int] = {}
        self._vocabulary: dict[str, frozenset[str]] = {}
        self._near: dict[str, list[tuple[str, float]]] = {}  # word -> (neighbour, spelling similarity)
        self._commons: dict[tuple[str, str], np.ndarray] = {}  # (seed key, broad key) -> their first entities
        self._readings: dict[int, Any] = {}  # candidates' names read, by their reading's number (``_reading``)
        self._parts: dict[int, Any] = {}  # their parts, by number
        self._generation: str | None = None

    def sync(self) -> None:
        """Forget the caches if the knowledge base changed since they were filled (its index
        was packed again, by this process or another) and read its packed index; pack an
        index never packed, or whose rows do not add up (a copy cut short)."""
        db = self.kb._db
        meta = packed_meta(db)
        if meta is not None and meta["generation"] == self._generation:
            return
        kept, self._index = self._index, None
        if meta is not None and kept is not None and kept.generation == meta["generation"]:
            self.adopt(kept)  # (read before a ``reset``)
            return
        index = read_packed(db, meta) if meta is not None else None
        if index is None:
            (entities,) = db.execute("SELECT count(*) FROM kb_entities").fetchone()
            if not entities:
                return
            self.kb.pack()
            meta = packed_meta(db)
            index = read_packed(db, meta) if meta is not None else None
            if index is None:
                raise sqlite3.DatabaseError("the knowledge-base index cannot be packed: run `veille kb reindex`")
        self.adopt(index)

    def _tune_connection(self) -> None:
        """A bigger page cache, and the database read through memory mapping (``MAP_BYTES``)."""
        db = self.kb._db
        (size,) = db.execute("PRAGMA cache_size").fetchone()
        if -PAGE_CACHE_KB < size < 0 or 0 <= size < PAGE_CACHE_KB // 4:  # (a positive size is in 4 KiB pages)
            db.execute(f"PRAGMA cache_size = {-PAGE_CACHE_KB}")
        mapped = db.execute("PRAGMA mmap_size").fetchone()  # (no row: an in-memory database)
        if mapped is not None and not mapped[0]:  # (unless the connection maps some already)
            db.execute(f"PRAGMA mmap_size = {MAP_BYTES}")

    def packed_index(self) -> Packed | None:
        """The packed index read by the last ``sync`` (None for an empty knowledge base)."""
        return self._index

    def adopt(self, index: Packed) -> None:
        """Use a packed index read already (by ``sync``, or by the process that forked this
        one), with empty caches; ``sync`` reads the database's again if it is of another
        generation."""
        self.reset()
        self._generation = index.generation
        self._index = index
        self._tune_connection()

    def _select(self, sql: str, params: tuple) -> sqlite3.Cursor:
        """Run one of the search's statements, its rows plain tuples (the store's connection
        makes ``sqlite3.Row`` objects: made and unpacked, they cost a search 1% of its instructions)."""
        cursor = self.kb._db.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    def _packed(self) -> Packed:
        assert self._index is not None, "sync() first"
        return self._index

    def _postings(self, key: str) -> np.ndarray:
        """The entities having ``key`` (its count looked up already), ascending."""
        return self._packed().slice(self._starts[key], self._counts[key])

    def search(self, names: Sequence[str], schema: str | None, limit: int, topics: list[str] | None,
               threshold: float, allowed: list[str] | None) -> list[list[Hit]]:
        """For each name, the candidates at ``threshold`` or above, best first, as ``Hit``
        rows (``candidates`` makes them ``Candidate`` objects; ``allowed``: the schemata a
        candidate may have, None for any)."""
        kinds = [schema] if schema else ["Person", "Organization"]
        out: list[list[Hit]] = []
        self.sync()
        with collector.paused():  # (see veille.kb.collector)
            for start in range(0, len(names), BATCH):
                self._trim_caches()
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
                neighbours: _Group = {}
                for key in sorted(group) if i < len(q.parts) else ():
                    near = {word: (counts[word], alike) for word, alike in self._near.get(key, ()) if counts.get(word)}
                    if not near:
                        continue
                    # a neighbour weighs as much as it looks like the word, not by its rarity
                    # (a rare neighbour is no likelier: "zang" is "zhang" rather than "gang")
                    rarity = FUZZY_FACTOR * math.log(1 + total / max(n for n, _ in near.values()))
                    for word, (n, alike) in near.items():
                        neighbours.setdefault(word, (n, rarity * alike, False))
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
        for q in queries:
            self._find_one(q)

    def _find_one(self, q: _Query) -> None:
        groups = q.groups
        width = len(groups)
        rare: list[tuple[str, int, float]] = []  # (key, group, weight) of the posting lists read whole
        by_key: dict[str, list[tuple[int, float]]] = {}  # common key -> (group, weight) it credits
        common: dict[int, tuple[str, int, float]] = {}
        confirmed = False  # a part spelled as an index word with a rare key
        for g, group in enumerate(groups):
            own = q.own[g]
            # (in the order of the keys: never of a set's, which changes from process to process)
            for key, (n, w, exact) in sorted(group.items()):
                if n <= POSTING_CAP:  # every rare key's list: "gonzalez", its sound, its name ids
                    confirmed = confirmed or exact
                    rare.append((key, g, w))
                elif key in own:  # the part's most common key (any spelling) credits candidates
                    if g not in common or n > common[g][1]:
                        common[g] = (key, n, w)
                else:  # so does every common neighbour of a misspelt part
                    by_key.setdefault(key, []).append((g, w))
        for g, (key, _, w) in common.items():
            by_key.setdefault(key, []).append((g, w))
        # the rare keys' posting lists, each entity weighted by the best key it has of each group
        packed = self._packed()
        if rare:
            spans = [(self._starts[key], self._counts[key], g, w) for key, g, w in rare]
            entities, weights = _gathered(packed.postings, spans, width)
        else:
            entities, weights = _NONE, np.zeros((0, width))
        found_by_rare = len(entities)
        if not confirmed:
            entities, weights = self._seed(_seed_keys(q), entities, weights)
        if len(entities) > 1 and by_key:
            # credit the common keys to the CREDITED heaviest candidates found by rare keys, and
            # those tied with the last of them (CANDIDATES at most); the same of the seeded ones
            heaviest = _heaviest_rows(_row_sums(weights), found_by_rare)
            lists = [(self._starts[key], self._counts[key], credits) for key, credits in by_key.items()]
            _credit(packed.postings, lists, entities, weights, heaviest)
        q.candidates = entities
        q.weights = _row_sums(weights)
        q.parts_weights = _row_sums(weights, len(q.parts_groups))

    def _seed(self, seeds: dict[int, tuple[tuple[str, int, float], tuple[str, int, float]]],
              entities: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A name with no rare key of its own: the entities having the seed key of its rarest
        part and the broad key of its next rarest (or the seed key's only, when no entity has
        both), CANDIDATES at most (see ``_seed_keys``), added to ``entities`` (their rows of
        weights too)."""
        if not seeds:
            return entities, weights
        by_rarity = sorted(seeds, key=lambda g: seeds[g][0][1])
        g1 = by_rarity[0]
        seed, _, w1 = seeds[g1][0]
        credits = [(g1, w1)]
        found = _NONE
        if len(by_rarity) > 1:
            g2 = by_rarity[1]
            other, _, w2 = seeds[g2][1]
            found = self._common(seed, other)
            credits.append((g2, w2))
        if not len(found):
            found, credits = self._postings(seed)[:CANDIDATES], credits[:1]
        if not len(entities):  # (no rare key found any: the seeded ones alone, in a new array)
            seeded = np.zeros((len(found), weights.shape[1]))
            for g, w in credits:
                seeded[:, g] = w
            return found.astype(np.int32), seeded
        # entities seeded that the rare keys found already get the seed weights too
        known = _contains(entities, found)
        rows = entities.searchsorted(found[known])
        new = found[~known]
        added = np.zeros((len(new), weights.shape[1]))
        for g, w in credits:
            np.maximum.at(weights[:, g], rows, w)  # (on a column: a third of the time of ``weights[rows, g]``)
            added[:, g] = w
        # the entities only seeds found come after those the rare keys found (see ``_find_one``)
        return np.concatenate([entities, new]), np.concatenate([weights, added])

    def _filter(self, queries: list[_Query], schemata: list[str] | None, topics: list[str] | None,
                wanted: int) -> None:
        """Keep the best-weighted candidates of each name that pass the filters, at most
        ``wanted``, none under MIN_WEIGHT_SHARE of the best one's weight."""
        mask = self._packed().mask(schemata, topics) if any(len(q.candidates) for q in queries) else None
        for q in queries:
            if not len(q.candidates):
                continue
            q.kept = _keep(q.weights, q.parts_weights, q.candidates, mask, MIN_WEIGHT_SHARE, wanted)

    def _score(self, queries: list[_Query], threshold: float, limit: int) -> list[list[Hit]]:
        """Score the names of each name's candidates kept; read the rows of those at
        ``threshold`` or above (``limit`` at most), best first."""
        packed = self._packed()
        stored = packed.names
        hits: list[list[tuple[int, float, str, str]]] = []
        memo: dict[tuple, _names.Scored | None] = {}  # candidate names scored for a query reading
        for q in queries:
            needles: list[list[tuple[str, float]]] | None = None
            found = []
            perfect = 0
            for rank, seq in enumerate(q.kept):
                if perfect >= limit:  # candidates come heaviest first: the others can only tie
                    break
                of_entity = stored.entity(seq)
                if len(of_entity) > 1:
                    # the names sharing the most with the query first; of those, the ones with the
                    # fewest other keys (the closest: "Роснефть" before "NK Rosneft" for "Rosneft")
                    if needles is None:  # per group, its keys heaviest first
                        # (lists, not generators: mypyc iterates those by calls to them)
                        needles = [sorted([(key, w) for key, (_, w, _) in group.items()], key=lambda x: -x[1])
                                   for group in q.groups]
                    mine: list[tuple[int, int, float, int]] = []
                    for number, is_weak, read_as in of_entity:
                        key_set = _names.name_keys(self._reading(read_as))
                        mine.append((number, is_weak, _shared(needles, key_set) - 1e-3 * len(key_set), read_as))
                else:  # one name: nothing to rank
                    mine = [(number, is_weak, 0.0, read_as) for number, is_weak, read_as in of_entity]
                schema = packed.schema(seq)
                reading = q.readings.get(_SCHEMA_READINGS.get(schema, "")) or next(iter(q.readings.values()))
                best = self._best_name(reading, mine, threshold, memo)
                if best is None or best[0] < threshold:
                    continue
                score, scored, weak = best
                perfect += score >= 1.0
                found.append((-score, rank, seq, scored, weak))
            found.sort(key=lambda hit: hit[:2])
            hits.append([(seq, -minus, scored.name, scored.why() + (" (weak alias)" if weak else ""))
                         for minus, _, seq, scored, weak in found[:limit]])
        # the rows of the hits, for all names in one statement
        wanted = sorted({seq for of_name in hits for seq, _, _, _ in of_name})
        rows = {row[0]: row for row in self._select(_CANDIDATES, (_numbers(wanted),))} if wanted else {}
        lists: dict[str, tuple[str, ...]] = {}  # JSON lists of the rows (datasets, topics...), read once

        def read_list(text: str) -> tuple[str, ...]:
            found = lists.get(text)
            if found is None:
                found = lists[text] = tuple(json.loads(text))
            return found

        out = []
        for of_name in hits:
            found_rows = []
            for seq, score, matched, why in of_name:
                if seq not in rows:
                    continue
                _, entity_id, schema, caption, datasets, topics, countries, qid = rows[seq]
                found_rows.append((entity_id, caption, schema, round4(score), matched, why, read_list(datasets),
                                   read_list(topics), read_list(countries), qid))
            out.append(found_rows)
        return out

    def _best_name(self, query: Any, names: list[tuple[int, int, float, int]], threshold: float,
                   memo: dict[tuple, _names.Scored | None]) -> tuple[float, _names.Scored, bool] | None:
        """Score the names of one candidate sharing the most key weight with the query, those that
        can reach ``threshold`` (NAMES_SCORED strong and NAMES_SCORED weak ones at most; ``names``:
        (name number, weak, the weight of the keys it shares with the query, reading number)): the
        best score (a weak alias's times WEAK_FACTOR), the name scored and whether it is a weak
        alias. ``memo`` keeps the names scored for each query reading (many entities share a name:
        "Igor Ivanov" is hundreds of people on a long list, one reading for all of them)."""
        texts = self._packed().names
        best = None
        if len(names) == 1:  # (most entities have one name)
            classes: list[tuple[int, list[tuple[int, int, float, int]]]] = [(names[0][1], names)]
        else:
            classes = [(weak, sorted([n for n in names if n[1] == weak], key=lambda n: -n[2])[:NAMES_SCORED])
                       for weak in (0, 1)]
        for weak, mine in classes:
            floor = threshold / WEAK_FACTOR if weak else threshold
            top: _names.Scored | None = None
            for number, _, _, reading in mine:
                candidate = self._reading(reading)
                name = texts.text(number)
                # a name read as another kind is read again from its text (see ``score_read``)
                key = (id(query), reading, floor) if candidate.kind == query.kind else (id(query), reading, floor, name)
                if key in memo:
                    scored = memo[key]
                    if scored is not None and scored.name != name:  # another name read the same ("IVANOV, Igor")
                        scored = scored.named(name)
                else:
                    scored = memo[key] = _names.score_read(query, name, candidate, floor, cached=False)
                if scored is not None and (top is None or scored.score > top.score):
                    top = scored
                    if scored.score >= 1.0:
                        break
            if top is None or top.score <= 0:
                continue
            score = round4(top.score) * (WEAK_FACTOR if weak else 1.0)
            if best is None or score > best[0]:
                best = (score, top, bool(weak))
        return best

    def _reading(self, reading: int) -> Any:
        """A candidate's name read, from the packed index: its parts each loaded once."""
        found = self._readings.get(reading)
        if found is None:
            stored = self._packed().names
            kind, numbers, spans = stored.read(reading)
            toks = []
            for number in numbers:
                tok = self._parts.get(number)
                if tok is None:
                    tok = self._parts[number] = _names.stored_token(stored.part(number))
                toks.append(tok)
            found = self._readings[reading] = _names.stored_name(kind, tuple(toks), spans)
        return found

    # -- lookups, cached -------------------------------------------------------------

    def _entities(self) -> int:
        """How many entities the knowledge base has (as packed: no count of a big table)."""
        return self._index.entities if self._index is not None else 0

    def _trim_caches(self) -> None:
        """Empty the caches grown past CACHE_SIZE, between batches only: emptied in the middle
        of one, they would lose what its names looked up already (a search's result would
        then depend on the names searched before it)."""
        if len(self._counts) > CACHE_SIZE:
            self._counts.clear()
            self._starts.clear()
        for cache in (self._vocabulary, self._near, self._readings, self._parts):
            if len(cache) > CACHE_SIZE:
                cache.clear()
        if len(self._commons) > COMMONS_CACHE_SIZE:
            self._commons.clear()

    def _common(self, seed: str, other: str) -> np.ndarray:
        """The first CANDIDATES entities having both keys (``_first_common``: a hundred
        microseconds for two long lists; a common first name and surname make many queries)."""
        found = self._commons.get((seed, other))
        if found is None:
            found = self._commons[(seed, other)] = _first_common(self._postings(seed), self._postings(other),
                                                                 CANDIDATES)
        return found

    def _lookup_counts(self, keys: Iterable[str]) -> None:
        """The posting-list lengths of keys (0: no entity has it) and where the lists start in
        the packed index."""
        starts = self._starts

        def fetch(missing: list[str]) -> dict[str, int]:
            found = {}
            for key, n, start in self._select(_KEY_COUNTS, (_dumps(missing),)):
                found[key] = n
                starts[key] = start
            return found

        for key, n in _missing(self._counts, keys, fetch).items():
            self._counts[key] = n or 0

    def _lookup_vocabulary(self, forms: Iterable[str]) -> None:
        for form, symbols in _missing(self._vocabulary, forms, lambda missing: dict(
                self._select(_VOCABULARY, (_dumps(missing),)))).items():
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
        for variant, key in self._select(_NEAR_DELETIONS, (_dumps(sorted(variants)),)):
            for word in variants.get(variant, ()):
                candidates[word].add(key)
        for word in missing:
            # every word one edit away, the FUZZY_KEYS most alike ("kateero" for "katero" before
            # "kapero": short words have dozens of neighbours in a big list; a handful of words
            # each, compared one by one rather than through ``process.extract``, which costs more
            # to call than they take to compare; their order is of no matter: see ``alike``)
            close = [w for w in candidates[word] if w != word and _names.edit_distance(word, w) <= 1]
            if not close and len(word) >= 8:
                (joined,) = self._select(_NEAR_HEAD, (word[:3], len(word) - 2, len(word) + 2)).fetchone()
                heads = sorted(joined.split("\x1f"), key=_length_first) if joined else []
                close = [w for w, _, _ in process.extract(word, heads, scorer=OSA.distance, score_cutoff=2,
                                                           limit=FUZZY_KEYS)]
            alike = sorted([(w, _names.spelling_similarity(word, w)) for w in close], key=lambda x: (-x[1], x[0]))
            near[word] = alike[:FUZZY_KEYS]
        self._lookup_counts(w for word in missing for w, _ in near[word])


def candidates(found: list[list[Hit]]) -> list[list[Candidate]]:
    """The candidates of ``Searcher.search``'s rows, each with lists of its own."""
    from veille.kb import Candidate

    return [[Candidate.of({"id": entity_id, "name": caption, "schema": schema, "score": score,
                           "matched_name": matched, "why": why, "datasets": list(datasets), "topics": list(topics),
                           "countries": list(countries), "qid": qid})
             for entity_id, caption, schema, score, matched, why, datasets, topics, countries, qid in of_name]
            for of_name in found]


def _missing(cache: dict[str, Any], keys: Iterable[str], fetch: Any) -> dict[str, Any]:
    """The keys a cache lacks, sorted, with what ``fetch(missing)`` found for them (None for
    those it did not). (Caches are emptied between batches: ``Searcher._trim_caches``.)"""
    missing = sorted({key for key in keys if key not in cache})
    if not missing:
        return {}
    found = fetch(missing)
    return {key: found.get(key) for key in missing}


def _length_first(word: str) -> tuple[int, str]:
    """The order of words in ``kb_key_counts_head`` (and of ties among the neighbours found)."""
    return len(word), word


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


def _ranked(weights: np.ndarray, entities: np.ndarray | None = None) -> np.ndarray:
    """Positions of candidates by weight, heaviest first; ties by entity number (by position
    when no entities are given: they are in entity order)."""
    if entities is None:
        return (-weights).argsort(kind="stable")
    return np.lexsort((entities, -weights))


def _row_sums(weights: np.ndarray, columns: int | None = None) -> np.ndarray:
    """``weights[:, :columns].sum(axis=1)`` (all columns by default), column by column while
    that is the very same sum: NumPy reduces a row of fewer than 8 numbers from left to right
    (and more pairwise), at a cost per row; in one call to the kernels when built."""
    width = weights.shape[1]
    columns = width if columns is None else min(columns, width)
    if _KERNELS is not None and 0 < width and columns < 8 and weights.flags.c_contiguous:
        return np.frombuffer(_KERNELS.row_sums(weights, width, columns))
    if columns < width:
        weights = weights[:, :columns]
    if not 0 < columns < 8:
        return np.add.reduce(weights, axis=1)
    total = weights[:, 0].copy()
    for j in range(1, columns):
        total += weights[:, j]
    return total


def _gathered(postings: np.ndarray, spans: list[tuple[int, int, int, float]], width: int) -> tuple[np.ndarray, np.ndarray]:
    """The entities of the posting lists ``spans`` ((start, n, group, weight) each), ascending,
    with their weights (the best of each group they have a list of), CANDIDATES at most: those
    of the largest summed weights, ties by entity (the kernels' ``gather``, or ``_gather_numpy``)."""
    if _KERNELS is not None:
        found, cells = _KERNELS.gather(postings, spans, width, CANDIDATES if width < 8 else 0)
        entities, weights = np.frombuffer(found, np.int32), np.frombuffer(cells).reshape(-1, width)
    else:
        entities, weights = _gather_numpy(postings, spans, width)
    if len(entities) > CANDIDATES:  # (the kernel keeps the best of fewer than 8 columns only)
        kept = np.sort(_ranked(_row_sums(weights))[:CANDIDATES])
        entities, weights = entities[kept], weights[kept]
    return entities, weights


def _gather_numpy(postings: np.ndarray, spans: list[tuple[int, int, int, float]],
                  width: int) -> tuple[np.ndarray, np.ndarray]:
    """The kernels' ``gather`` without its cut, in NumPy (the reference)."""
    lists = [postings[start:start + n] for start, n, _, _ in spans]
    lengths = [len(p) for p in lists]
    entities, where = _unique(np.concatenate(lists))
    weights = np.zeros((len(entities), width))
    # (``ufunc.at`` on a flat index: four times as fast as on a pair of index arrays)
    cells = where * width + np.asarray([g for _, _, g, _ in spans]).repeat(lengths)
    np.maximum.at(weights.reshape(-1), cells, np.asarray([w for _, _, _, w in spans]).repeat(lengths))
    return entities, weights


def _keep(weights: np.ndarray, parts_weights: np.ndarray, candidates: np.ndarray, mask: np.ndarray | None,
          share: float, wanted: int) -> list[int]:
    """The ``wanted`` best ``candidates`` (by weight, ties by entity) that ``mask`` lets through,
    none under ``share`` of the best one's weight (the kernels' ``keep``, or ``_keep_numpy``)."""
    if _KERNELS is not None:
        return _KERNELS.keep(weights, parts_weights, candidates, mask, share, wanted)
    return _keep_numpy(weights, parts_weights, candidates, mask, share, wanted)


def _keep_numpy(weights: np.ndarray, parts_weights: np.ndarray, candidates: np.ndarray, mask: np.ndarray | None,
                share: float, wanted: int) -> list[int]:
    """``_keep`` in NumPy (the reference)."""
    ranked = _ranked(weights, candidates)
    if mask is not None:
        ranked = ranked[mask[candidates[ranked]]]
    if not len(ranked):
        return []
    # the floor weighs the parts' keys only: the keys of the whole name (the name in one word)
    # single out the entities of the very same name, which must not push out the variants
    # ("Mohammed Omar Bamoani" for "Mohammed Bamoani")
    weight = np.where(parts_weights > 0, parts_weights, weights)[ranked]
    ranked = ranked[weight >= weight[0] * share][:wanted]
    return candidates[ranked].tolist()


def _heaviest_rows(totals: np.ndarray, split: int) -> np.ndarray:
    """``_heaviest`` of the rows before ``split`` (found by rare keys) and of those after it
    (seeded), in any order (the kernels' ``heaviest``, or ``_heaviest_numpy``)."""
    if _KERNELS is not None:
        return np.frombuffer(_KERNELS.heaviest(totals, split, CANDIDATES, CREDITED), np.int32)
    return _heaviest_numpy(totals, split)


def _heaviest_numpy(totals: np.ndarray, split: int) -> np.ndarray:
    """``_heaviest_rows`` in NumPy (the reference)."""
    rows = np.arange(len(totals))
    return np.concatenate([_heaviest(rows[:split], totals), _heaviest(rows[split:], totals)])


def _credit(postings: np.ndarray, lists: list[tuple[int, int, list[tuple[int, float]]]], entities: np.ndarray,
            weights: np.ndarray, heaviest: np.ndarray) -> None:
    """Raise the weights of the ``heaviest`` rows whose entity is in each posting list of
    ``lists`` ((start, n, credits) each) to what the list credits ((group, weight) each), in
    place (the kernels' ``credit``, or ``_credit_numpy``)."""
    if _KERNELS is None:
        _credit_numpy(postings, lists, entities, weights, heaviest)
        return
    for start, n, credits in lists:
        _KERNELS.credit(postings, start, n, entities, heaviest, weights, credits)


def _credit_numpy(postings: np.ndarray, lists: list[tuple[int, int, list[tuple[int, float]]]],
                  entities: np.ndarray, weights: np.ndarray, heaviest: np.ndarray) -> None:
    """``_credit`` in NumPy (the reference)."""
    mine = entities[heaviest]
    for start, n, credits in lists:
        having = heaviest[_contains(postings[start:start + n], mine)]
        for g, w in credits:  # (``having``: distinct rows)
            column = weights[:, g]
            column[having] = np.maximum(column[having], w)


def _unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` without its Python-level checks (it is called
    once per name: they cost more than the sort on a few hundred entities)."""
    order = values.argsort(kind="stable")
    ordered = values[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(ordered), dtype=np.intp)
    inverse[order] = first.cumsum() - 1
    return ordered[first], inverse


def _contains(sorted_values: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_values`` (ascending)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = sorted_values.searchsorted(values)
    return sorted_values[np.minimum(at, len(sorted_values) - 1)] == values


def _first_common(values: np.ndarray, others: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` of ``values`` that are in ``others`` (both ascending): two long lists
    ("ivanov" and the sound of "sergei": tens of thousands of entities each) have their first
    ``k`` in common long before their ends (the kernels' ``first_common``, or
    ``_first_common_numpy``)."""
    if _KERNELS is not None:
        return np.frombuffer(_KERNELS.first_common(values, others, k), np.int32)
    return _first_common_numpy(values, others, k)


def _first_common_numpy(values: np.ndarray, others: np.ndarray, k: int) -> np.ndarray:
    """``_first_common`` in NumPy (the reference), looked up in growing chunks."""
    found: list[np.ndarray] = []
    have = start = 0
    chunk = 4 * k
    while start < len(values) and have < k:
        part = values[start:start + chunk]
        common = part[_contains(others, part)]
        found.append(common)
        have += len(common)
        start += len(part)
        chunk *= 2
    out = np.concatenate(found) if len(found) > 1 else found[0] if found else values[:0]
    return out[:k]


def _heaviest(rows: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The CREDITED heaviest of ``rows`` and those tied with the last of them, CANDIDATES at
    most."""
    if not len(rows):
        return rows
    ranked = rows[(-totals[rows]).argsort(kind="stable")][:CANDIDATES]
    cut = totals[ranked[min(CREDITED, len(ranked)) - 1]]
    return ranked[totals[ranked] >= cut]


def _shared(needles: list[list[tuple[str, float]]], keys: frozenset[str]) -> float:
    """The summed weight of the query's key groups that ``keys`` has: for each group, the
    weight of its heaviest key found."""
    total = 0.0
    for group in needles:
        for key, weight in group:
            if key in keys:
                total += weight
                break
    return total



def round4(x: float) -> float:
    """``round(x, 4)``, the same to the bit, mostly without its decimal conversion (which costs
    as much as scoring a short name). ``n / 10000`` is the double nearest to the decimal
    ``n``·10⁻⁴ (a division is correctly rounded), so only ``n`` must be right: the integer nearest
    to ``x``·10⁴, found from the double product unless it lies too near a half to tell."""
    scaled = x * 10000.0
    if not 0.0 < scaled < 1e9:  # (0, a negative number, or one too large for the margin below)
        return round(x, 4)
    low = math.floor(scaled)
    fraction = scaled - low
    if abs(fraction - 0.5) < 1e-6:  # a tie, or too near one to tell: Python's exact rounding
        return round(x, 4)
    return (low + (fraction > 0.5)) / 10000.0

