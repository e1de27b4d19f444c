"""The knowledge base: FollowTheMoney entities in the Veille store, found by name.

Linking (an article's actors → canonical identities) and screening (actors → sanctions
lists) search the same table of FollowTheMoney (FtM) entities with different filters and
thresholds::

    with open_store() as store:
        kb = store.knowledge_base()
        kb.load_file("entities.ftm.json")             # OpenSanctions export, or the UN XML list
        kb.search("Sergei Lavrov", schema="person")   # -> [Candidate(id=..., score=0.97, ...)]
        kb.screen("Kim Jong Un")                      # sanctioned entities only

How it works (tables in ``veille/store/sqlite.py``, migration 3):

* ``load`` streams entities in batches (one transaction each), keeps those of the schemata
  an actor can have (legal entities, territories, vessels, aircraft; ``KB_SCHEMATA``), and
  upserts them by FtM id: loading a file twice changes nothing. The same id from another
  dataset is merged (properties, datasets and topics are united); from the same datasets
  again (a newer export) it replaces the stored entity.
* Every name-like property (``name``, ``alias``, ``previousName``; ``weakAlias`` and
  ``abbreviation`` as weak names; first + last name when a person has no full name) goes
  to ``kb_names`` with its blocking keys (``veille.kb.names.blocking_keys``), and the keys
  to the persisted index ``kb_keys``, with the length of each posting list
  (``kb_key_counts``) and, for the words, their one-letter deletions (``kb_key_deletions``).
  A big load (into an empty knowledge base, or of more than ``BULK_AFTER`` entities) writes
  names only and builds the index at the end, sorted, in SQL.
* ``search`` groups the query's keys by the word they come from (a word's spelling, sound
  and name ids count once), weights each by its rarity, and looks up the index words one
  typo away from a query word the index lacks. Candidates come from the rare keys; a
  common key ("mohammad") is never read whole: it only credits the candidates found (when
  every word is common, the entities having the two rarest words), so it cannot flood
  them. The best-weighted candidates that pass the schema and topic filters are scored with
  ``veille.kb.names.match`` on their names that share the most keys with the query.

The search side imports neither FtM nor spaCy: the schema hierarchy it needs is written
into the database by the loader (``kb_schemata``).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veille.kb.names import LINK_THRESHOLD, SCREEN_THRESHOLD, blocking_keys, match

if TYPE_CHECKING:
    from veille.store.sqlite import SQLiteStore

__all__ = [
    "KB_SCHEMATA",
    "SANCTION_TOPICS",
    "Candidate",
    "CleanEntity",
    "InvalidLine",
    "KnowledgeBase",
    "LoadStats",
    "entity_names",
]

#: OpenSanctions topics that put an entity on a screening list
SANCTION_TOPICS = ("sanction", "sanction.linked", "sanction.control", "sanction.counter", "debarment",
                   "export.control", "export.control.linked")
#: the FtM schemata the knowledge base keeps (and their descendants): what an actor can be
KB_SCHEMATA = ("LegalEntity", "Territory", "Vessel", "Airplane")
#: query schema words accepted besides FtM schema names
SCHEMA_WORDS = {"person": "Person", "organization": "Organization", "organisation": "Organization",
                "org": "Organization", "company": "Company", "vessel": "Vessel", "territory": "Territory"}

#: entities per load transaction
BATCH_SIZE = 5_000
#: SQLite page cache while loading (KiB)
LOAD_CACHE_KB = 262_144
#: a load that has changed this many entities (and a quarter of those there were) stops
#: updating the index batch by batch and rebuilds it at the end
BULK_AFTER = 50_000
#: reasons of invalid lines kept in LoadStats.problems (all are counted)
MAX_PROBLEMS = 20
#: a key shared by more entities than this only re-weights candidates found by rarer keys
POSTING_CAP = 250
#: candidates taken from the index per search, before weighing and filtering them
CANDIDATES = 200
#: a candidate whose key weight is under this share of the best one's is not scored
MIN_WEIGHT_SHARE = 0.6
#: candidates scored with ``match`` per search: this many, or ``limit`` + half of it
MIN_SCORED = 8
#: names of one candidate scored, those sharing the most keys with the query first
NAMES_SCORED = 3
#: a weak alias ("weakAlias", "abbreviation") scores this much of its match
WEAK_FACTOR = 0.9
#: a query word missing from the index is looked up among index words this long or longer...
FUZZY_MIN_LENGTH = 4
#: ... and this long or shorter (index words longer than this get no deletion variants)...
FUZZY_MAX_LENGTH = 24
#: ... at most this many of them...
FUZZY_KEYS = 10
#: ... each weighing this share of its rarity
FUZZY_FACTOR = 0.8

_STRONG_NAMES = ("name", "alias", "previousName")
_WEAK_NAMES = ("weakAlias", "abbreviation")
# names whose keys fingerprint the blocking-key function (see ``KnowledgeBase.index_is_current``)
_CANARIES = ("Vladimir Vladimirovich Putin", "Сергей Лавров", "김정은", "Mohammed bin Salman Al Saud",
             "Korean Central News Agency", "Rosneft Oil Company PJSC", "Xi Jinping", "José María Aznar")


@dataclass(frozen=True)
class InvalidLine:
    """A line of an input file that could not be loaded, and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class CleanEntity(dict):
    """An FtM entity dict already validated and cleaned by a reader (``read_ftm``,
    ``read_un_xml``): ``load`` trusts its property values instead of cleaning them again."""

    __slots__ = ()


@dataclass
class LoadStats:
    """What a load did. ``new + updated + unchanged`` entities were read and kept."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    #: entities of schemata the knowledge base does not keep (Sanction, Address...), by schema
    skipped: Counter[str] = field(default_factory=Counter)
    #: the first MAX_PROBLEMS reasons of invalid lines or entities
    problems: list[str] = field(default_factory=list)

    def add_invalid(self, reason: object) -> None:
        self.invalid += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(str(reason))

    @property
    def read(self) -> int:
        return self.new + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["skipped"] = dict(self.skipped)
        return out

    def __str__(self) -> str:
        skipped = sum(self.skipped.values())
        text = (f"{self.new:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{self.invalid:,} invalid, {skipped:,} skipped")
        if skipped:
            text += " (" + ", ".join(f"{s} {n:,}" for s, n in self.skipped.most_common(4)) + ")"
        return text


@dataclass(frozen=True)
class Candidate:
    """An entity found for a name, with how well its best name matched."""

    id: str
    name: str  # the entity's caption
    schema: str
    score: float
    matched_name: str
    why: str
    datasets: list[str]
    topics: list[str]
    countries: list[str]
    qid: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- from FtM entities to rows ------------------------------------------------------


@dataclass
class _Entity:
    """One entity as the knowledge base keeps it (a row of kb_entities, before keys)."""

    id: str
    schema: str
    caption: str
    datasets: list[str]
    topics: list[str]
    countries: list[str]
    qid: str | None
    properties: dict[str, list[str]]
    first_seen: str | None
    last_seen: str | None

    def row(self) -> tuple:
        return (self.id, self.schema, self.caption, _dumps(self.datasets), _dumps(self.topics),
                _dumps(self.countries), self.qid, _dumps(self.properties), self.first_seen, self.last_seen)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _union(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _space(text: str) -> str:
    return " ".join(text.split())


def entity_names(schema: str, properties: Mapping[str, list[str]]) -> list[tuple[str, bool]]:
    """The names of an entity as ``(name, weak)``, strong ones first, each once.

    Strong: ``name``, ``alias``, ``previousName``; weak: ``weakAlias``, ``abbreviation``.
    A person without ``name`` gets ``firstName [middleName] lastName`` (the first three
    first and last names at most). Names differing only in case or spacing count once.
    """
    out: dict[str, tuple[str, bool]] = {}

    def add(value: str, weak: bool) -> None:
        text = _space(value)
        if text and text.casefold() not in out:
            out[text.casefold()] = (text, weak)

    for prop in _STRONG_NAMES:
        for value in properties.get(prop) or ():
            add(value, False)
    if not out and schema == "Person":
        firsts = (properties.get("firstName") or [])[:3]
        middle = (properties.get("middleName") or properties.get("secondName") or [""])[0]
        for last in (properties.get("lastName") or [])[:3]:
            for first in firsts or [""]:
                add(f"{first} {last}", False)
                if middle:
                    add(f"{first} {middle} {last}", False)
    for prop in _WEAK_NAMES:
        for value in properties.get(prop) or ():
            add(value, True)
    return list(out.values())


class _Schemata:
    """The FtM model, imported on first use (a second of start-up the search side avoids)."""

    _model: Any = None

    @classmethod
    def model(cls) -> Any:
        if cls._model is None:
            from followthemoney import model

            cls._model = model
        return cls._model

    @classmethod
    def kept(cls, schema: str) -> bool:
        found = cls.model().get(schema)
        return found is not None and any(found.is_a(s) for s in KB_SCHEMATA)


def _prepare(data: Any, dataset: str | None) -> _Entity | str:
    """An input entity as a ``_Entity``, or the reason it is invalid (a string).

    ``data`` is validated with FtM's ``get_proxy`` unless a reader already did
    (``CleanEntity``); its schema must be one the knowledge base keeps (the caller checks).
    """
    from followthemoney.exc import FollowTheMoneyException
    from followthemoney.types import registry

    if not isinstance(data, Mapping):
        return f"not an FtM entity (a JSON object): {type(data).__name__}"
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return "no id"
    caption = data.get("caption") if isinstance(data.get("caption"), str) and data["caption"].strip() else None
    schema = _Schemata.model().get(data.get("schema"))
    if isinstance(data, CleanEntity) and schema is not None and caption:
        # a reader validated and cleaned it: no second pass through FtM
        properties: dict[str, list[str]] = {p: list(v) for p, v in (data.get("properties") or {}).items()}
    else:
        problem = check_properties(data.get("properties"))
        if problem:
            return f"{entity_id}: {problem}"
        try:
            proxy = _Schemata.model().get_proxy(data, cleaned=isinstance(data, CleanEntity))
        except (FollowTheMoneyException, TypeError, ValueError, AttributeError) as exc:
            return f"{entity_id}: {exc}"
        schema, properties, caption = proxy.schema, proxy.properties, caption or proxy.caption
    countries = [value for prop, values in properties.items()
                 if (found := schema.get(prop)) is not None and found.type == registry.country for value in values]
    topics = _union(properties.get("topics", []), _strings(data.get("topics")))
    if topics:
        properties["topics"] = topics
    datasets = _union(_strings(data.get("datasets")), [dataset] if dataset else [])
    return _Entity(
        id=entity_id.strip(), schema=schema.name, caption=_space(caption or entity_id),
        datasets=datasets or ["default"], topics=topics, countries=list(dict.fromkeys(countries)),
        qid=(properties.get("wikidataId") or [None])[0], properties=properties,
        first_seen=_timestamp(data.get("first_seen")), last_seen=_timestamp(data.get("last_seen")))


def check_properties(properties: Any) -> str | None:
    """Why an FtM ``properties`` value is malformed (not an object of lists of strings), or None."""
    if properties is None:
        return None
    if not isinstance(properties, Mapping):
        return "'properties' is not an object"
    for prop, values in properties.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return f"property {prop!r} is not a list of strings"
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _timestamp(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _merge(old: _Entity, new: _Entity) -> _Entity | str:
    """The same id loaded again: a newer export of the datasets it came from replaces it,
    another dataset adds to it. Returns the reason when the schemata cannot be merged."""
    first = min(filter(None, (old.first_seen, new.first_seen)), default=None)
    last = max(filter(None, (old.last_seen, new.last_seen)), default=None)
    if set(old.datasets) <= set(new.datasets):
        return _Entity(new.id, new.schema, new.caption, new.datasets, new.topics, new.countries, new.qid,
                       new.properties, first, last)
    schema = old.schema
    if new.schema != old.schema:
        model = _Schemata.model()
        try:
            schema = model.common_schema(old.schema, new.schema).name
        except Exception:  # InvalidData: a Person and a Company cannot be one entity
            return f"{new.id}: is a {new.schema} in {', '.join(new.datasets)} but a {old.schema} already"
    properties = {prop: list(values) for prop, values in old.properties.items()}
    for prop, values in new.properties.items():
        properties[prop] = _union(properties.get(prop, []), values)
    return _Entity(old.id, schema, old.caption, _union(old.datasets, new.datasets), _union(old.topics, new.topics),
                   _union(old.countries, new.countries), old.qid or new.qid, properties, first, last)


def _from_row(row: sqlite3.Row | tuple) -> _Entity:
    (_, entity_id, schema, caption, datasets, topics, countries, qid, properties, first_seen, last_seen) = row
    return _Entity(entity_id, schema, caption, json.loads(datasets), json.loads(topics), json.loads(countries),
                   qid, json.loads(properties), first_seen, last_seen)


def _name_rows(entity: _Entity) -> list[tuple[str, int, frozenset[str]]]:
    """``(name, weak, keys)`` for each name of an entity."""
    return [(name, int(weak), frozenset(blocking_keys(name, entity.schema)))
            for name, weak in entity_names(entity.schema, entity.properties)]


def _weight(needles: list[list[tuple[str, float]]], keys: set[str]) -> float:
    """The summed weight of the query's key groups that ``keys`` has: for each group, the
    weight of its heaviest key found."""
    total = 0.0
    for group in needles:
        for key, weight in group:
            if key in keys:
                total += weight
                break
    return total


def _fuzzy_word(key: str) -> bool:
    """Whether an index key is a word that typos are looked up for (``kb_key_deletions``)."""
    return FUZZY_MIN_LENGTH <= len(key) <= FUZZY_MAX_LENGTH and key.isascii() and key.isalnum() and key == key.lower()


def _deletions(word: str) -> set[str]:
    """The word with one letter deleted, at each position."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _fingerprint() -> str:
    """A hash of the blocking keys of a few names: changes when ``blocking_keys`` does."""
    digest = hashlib.sha1()
    for name in _CANARIES:
        for schema in ("Person", "Organization"):
            digest.update(_dumps(sorted(blocking_keys(name, schema))).encode() + b"\n")
    return digest.hexdigest()[:16]


# -- SQL -----------------------------------------------------------------------------

_ENTITY_COLUMNS = "seq, id, schema, caption, datasets, topics, countries, qid, properties, first_seen, last_seen"
_SELECT_EXISTING = f"SELECT {_ENTITY_COLUMNS} FROM kb_entities WHERE id IN (SELECT value FROM json_each(?))"
_INSERT_ENTITY = f"INSERT INTO kb_entities ({_ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_UPDATE_ENTITY = """UPDATE kb_entities SET id = ?, schema = ?, caption = ?, datasets = ?, topics = ?,
    countries = ?, qid = ?, properties = ?, first_seen = ?, last_seen = ? WHERE seq = ?"""
_OLD_NAMES = "SELECT entity, keys FROM kb_names WHERE entity IN (SELECT value FROM json_each(?))"
_DELETE_NAMES = "DELETE FROM kb_names WHERE entity = ?"
_INSERT_NAME = "INSERT INTO kb_names (entity, name, weak, keys) VALUES (?, ?, ?, ?)"
_DELETE_KEY = "DELETE FROM kb_keys WHERE key = ? AND entity = ?"
_INSERT_KEY = "INSERT OR IGNORE INTO kb_keys (key, entity) VALUES (?, ?)"
_COUNT_KEY = """INSERT INTO kb_key_counts (key, n) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET n = n + excluded.n"""
_KEY_COUNTS = "SELECT key, n FROM kb_key_counts WHERE key IN (SELECT value FROM json_each(?))"
_BUILD_KEYS = """INSERT OR IGNORE INTO kb_keys (key, entity)
    SELECT k.value, n.entity FROM kb_names n, json_each(n.keys) k ORDER BY 1, 2"""
_BUILD_KEY_COUNTS = "INSERT INTO kb_key_counts (key, n) SELECT key, count(*) FROM kb_keys GROUP BY key"
_NEAR_HEAD = """SELECT key FROM kb_key_counts INDEXED BY kb_key_counts_head
    WHERE substr(key, 1, 3) = ? AND length(key) BETWEEN ? AND ?"""
# words sharing a one-letter deletion with the query word, or equal to one of its deletions
_NEAR_DELETIONS = """SELECT key FROM kb_key_deletions WHERE variant IN (SELECT value FROM json_each(:variants))
    UNION SELECT key FROM kb_key_counts WHERE key IN (SELECT value FROM json_each(:variants))"""
_INSERT_DELETION = "INSERT OR IGNORE INTO kb_key_deletions (variant, key) VALUES (?, ?)"
_BUILD_DELETIONS = f"""WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < {FUZZY_MAX_LENGTH})
    INSERT OR IGNORE INTO kb_key_deletions (variant, key)
    SELECT substr(k.key, 1, i.n - 1) || substr(k.key, i.n + 1), k.key FROM kb_key_counts k JOIN i ON i.n <= length(k.key)
    WHERE length(k.key) BETWEEN {FUZZY_MIN_LENGTH} AND {FUZZY_MAX_LENGTH} AND k.key NOT GLOB '*[^a-z0-9]*'
    ORDER BY 1, 2"""
_POSTINGS = "SELECT entity FROM kb_keys WHERE key = ? LIMIT ?"
_BOTH_KEYS = """SELECT a.entity FROM kb_keys a JOIN kb_keys b ON b.key = ? AND b.entity = a.entity
    WHERE a.key = ? LIMIT ?"""
# (key, group, weight) triples as JSON -> (entity, group, best weight of the group's keys it has)
# for the entities of the best summed weight
_QUERY_KEYS = """q(key, grp, w) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
    json_extract(value, '$[2]') FROM json_each(:keys))"""
_RARE_HITS = f"""WITH {_QUERY_KEYS},
    hits(entity, grp, w) AS (SELECT k.entity, q.grp, max(q.w) FROM q JOIN kb_keys k ON k.key = q.key
                             GROUP BY k.entity, q.grp),
    top(entity) AS (SELECT entity FROM hits GROUP BY entity ORDER BY sum(w) DESC LIMIT :top)
    SELECT hits.entity, hits.grp, hits.w FROM hits JOIN top ON top.entity = hits.entity"""
_POSTINGS_AMONG = "SELECT entity FROM kb_keys WHERE key = ? AND entity IN (SELECT value FROM json_each(?))"
_CANDIDATES = """SELECT seq, id, schema, caption, datasets, topics, countries, qid FROM kb_entities
    WHERE seq IN (SELECT value FROM json_each(:seqs))"""
_IN_SCHEMATA = " AND schema IN (SELECT value FROM json_each(:schemata))"
_WITH_TOPICS = """ AND EXISTS (SELECT 1 FROM json_each(kb_entities.topics) t
    WHERE t.value IN (SELECT value FROM json_each(:topics)))"""
_CANDIDATE_NAMES = "SELECT entity, name, weak, keys FROM kb_names WHERE entity IN (SELECT value FROM json_each(?))"


class KnowledgeBase:
    """The FtM entities of a Veille SQLite store. Get one with ``store.knowledge_base()``.

    Every method raises ``StoreError`` when the database fails; a negative ``limit`` is a
    caller bug (``ValueError``).
    """

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._total: int | None = None  # entities, for key rarity; reset by load
        self._schemata: dict[str, frozenset[str]] | None = None

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.store.location!r})"

    @property
    def _db(self) -> sqlite3.Connection:
        return self.store._db

    # -- loading ---------------------------------------------------------------

    def load_file(self, path: str | Path, format: str = "auto", dataset: str | None = None,
                  progress: Callable[[int], None] | None = None) -> LoadStats:
        """Load a file: FtM JSON lines (``.gz`` too) or the UN Security Council XML list.

        ``format`` is ``"ftm"``, ``"un-xml"`` or ``"auto"`` (by content). Invalid lines are
        counted in the stats with their line numbers; they never stop the load. Entities of
        an FtM file without ``datasets`` get ``dataset``, else the file's name.
        """
        from veille.kb.ftm import detect_format, read_ftm
        from veille.kb.un_xml import read_un_xml

        stats = LoadStats()
        kind = detect_format(path) if format == "auto" else format
        if kind == "un-xml":
            entities: Iterable[dict] = read_un_xml(path, on_invalid=stats.add_invalid)
        elif kind == "ftm":
            fallback = [dataset or _stem(Path(path))]
            entities = (e if e.get("datasets") else CleanEntity(e, datasets=fallback)
                        for e in read_ftm(path, on_invalid=stats.add_invalid))
        else:
            raise ValueError(f"unknown format {format!r}: ftm, un-xml or auto")
        return self.load(entities, dataset=dataset, progress=progress, stats=stats)

    def load(self, entities: Iterable[Mapping[str, Any]], dataset: str | None = None,
             progress: Callable[[int], None] | None = None, stats: LoadStats | None = None) -> LoadStats:
        """Upsert FtM entity dicts (``{"id", "schema", "properties", ...}``), streamed in batches.

        ``dataset`` is added to each entity's ``datasets`` (an entity without any gets
        ``"default"``); top-level ``topics`` are added to the ``topics`` property. Entities
        of other schemata than ``KB_SCHEMATA`` are counted in ``skipped``; invalid ones in
        ``invalid``, with their reasons. ``progress(n)`` is called after each batch with the
        number of input entities it took. Idempotent.
        """
        stats = stats if stats is not None else LoadStats()
        db = self._db
        with self.store._errors("load knowledge-base entities"):
            (cache,) = db.execute("PRAGMA cache_size").fetchone()
            db.execute(f"PRAGMA cache_size = {-LOAD_CACHE_KB}")
            # A big load does not update the index batch by batch (inserting millions of keys
            # one batch at a time rewrites most of the index at each commit): from an empty
            # knowledge base, or once it has changed BULK_AFTER entities and a quarter of
            # those there were, it writes names only and rebuilds the index at the end, sorted.
            (existing,) = db.execute("SELECT count(*) FROM kb_entities").fetchone()
            bulk = existing == 0
            try:
                self._write_schemata(pending=bulk)
                batch: dict[str, _Entity] = {}
                taken = 0
                for data in entities:
                    taken += 1
                    self._take(data, dataset, batch, stats)
                    if len(batch) >= BATCH_SIZE:
                        self._write(batch, stats, bulk)
                        batch = {}
                        if progress:
                            progress(taken)
                        taken = 0
                        if not bulk and stats.new + stats.updated >= max(BULK_AFTER, existing // 4):
                            bulk = True
                            self._write_schemata(pending=True)
                if batch:
                    self._write(batch, stats, bulk)
                if progress and taken:
                    progress(taken)
            finally:
                try:
                    if bulk:
                        self._build_index()
                    else:
                        self._index_built()
                    db.execute("PRAGMA optimize")
                finally:
                    db.execute(f"PRAGMA cache_size = {int(cache)}")
                    self._total = None
        return stats

    def _take(self, data: Any, dataset: str | None, batch: dict[str, _Entity], stats: LoadStats) -> None:
        schema = data.get("schema") if isinstance(data, Mapping) else None
        if isinstance(schema, str) and _Schemata.model().get(schema) is not None and not _Schemata.kept(schema):
            stats.skipped[schema] += 1
            return
        entity = _prepare(data, dataset)
        if isinstance(entity, str):
            stats.add_invalid(entity)
            return
        if entity.id in batch:  # twice in one batch: merged as if loaded one after the other
            merged = _merge(batch[entity.id], entity)
            if isinstance(merged, str):
                stats.add_invalid(merged)
                return
            entity = merged
        batch[entity.id] = entity

    def _write_schemata(self, pending: bool = False) -> None:
        """Write the FtM schema hierarchy; ``pending``: mark the index as being rebuilt (until
        ``_build_index`` is done, ``index_is_current`` is False: an interrupted load needs a
        ``reindex``)."""
        model = _Schemata.model()
        rows = [(name, _dumps(sorted(schema.names))) for name, schema in model.schemata.items()]
        with self.store._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO kb_schemata (schema, ancestors) VALUES (?, ?)", rows)
            if pending:
                db.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('blocking_keys', 'pending')")
        self._schemata = None

    def _build_index(self) -> None:
        """(Re)build ``kb_keys`` and ``kb_key_counts`` from the keys of ``kb_names``, sorted."""
        with self.store._transaction() as db:
            db.execute("DELETE FROM kb_keys")
            db.execute("DELETE FROM kb_key_counts")
            db.execute("DELETE FROM kb_key_deletions")
            db.execute(_BUILD_KEYS)
            db.execute(_BUILD_KEY_COUNTS)
            db.execute(_BUILD_DELETIONS)
        self._index_built()

    def _index_built(self) -> None:
        with self.store._transaction() as db:
            db.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('blocking_keys', ?)", (_fingerprint(),))

    def _write(self, batch: dict[str, _Entity], stats: LoadStats, bulk: bool = False) -> None:
        """Upsert one batch in one transaction (``bulk``: names only, the index comes later)."""
        with self.store._transaction() as db:
            existing = {row[1]: (row[0], _from_row(row))
                        for row in db.execute(_SELECT_EXISTING, (_dumps(list(batch)),))}
            (seq,) = db.execute("SELECT coalesce(max(seq), 0) FROM kb_entities").fetchone()
            inserts, updates, written = [], [], []
            for entity_id, entity in batch.items():
                if entity_id not in existing:
                    seq += 1
                    inserts.append((seq, *entity.row()))
                    written.append((seq, entity))
                    stats.new += 1
                    continue
                old_seq, old = existing[entity_id]
                merged = _merge(old, entity)
                if isinstance(merged, str):
                    stats.add_invalid(merged)
                elif merged == old:
                    stats.unchanged += 1
                else:
                    updates.append((*merged.row(), old_seq))
                    written.append((old_seq, merged))
                    stats.updated += 1
            counts: Counter[str] = Counter()
            if updates:
                old_keys = set()
                if not bulk:
                    for entity, keys in db.execute(_OLD_NAMES, (_dumps([u[-1] for u in updates]),)):
                        old_keys.update((key, entity) for key in json.loads(keys))
                db.executemany(_DELETE_NAMES, [(u[-1],) for u in updates])
                db.executemany(_DELETE_KEY, sorted(old_keys))
                counts.subtract(key for key, _ in old_keys)
                db.executemany(_UPDATE_ENTITY, updates)
            db.executemany(_INSERT_ENTITY, inserts)
            names, keys = [], set()
            for entity_seq, entity in written:
                for name, weak, name_keys in _name_rows(entity):
                    names.append((entity_seq, name, weak, _dumps(sorted(name_keys))))
                    keys.update((key, entity_seq) for key in name_keys)
            db.executemany(_INSERT_NAME, names)
            if bulk:
                return
            db.executemany(_INSERT_KEY, sorted(keys))
            counts.update(key for key, _ in keys)
            words = {key for key, n in counts.items() if n > 0 and _fuzzy_word(key)}
            if words:  # new words of the index: their deletions (those of gone words may stay: harmless)
                known = {k for k, _ in db.execute(_KEY_COUNTS, (_dumps(sorted(words)),))}
                db.executemany(_INSERT_DELETION, sorted((variant, word) for word in words - known
                                                        for variant in _deletions(word)))
            db.executemany(_COUNT_KEY, sorted((k, n) for k, n in counts.items() if n))
            if any(n < 0 for n in counts.values()):
                db.execute("DELETE FROM kb_key_counts WHERE n <= 0")

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute the blocking keys of every stored name and rebuild the index (after
        ``blocking_keys`` changed, or an interrupted load); returns the entities indexed."""
        db = self._db
        done = 0
        with self.store._errors("rebuild the knowledge-base index"):
            with self.store._transaction() as tx:
                tx.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('blocking_keys', 'pending')")
            last = 0
            while True:
                rows = db.execute("SELECT seq, schema FROM kb_entities WHERE seq > ? ORDER BY seq LIMIT ?",
                                  (last, BATCH_SIZE)).fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                schemata = dict(rows)
                with self.store._transaction() as tx:
                    names = tx.execute("SELECT entity, name FROM kb_names WHERE entity BETWEEN ? AND ?",
                                       (rows[0][0], last)).fetchall()
                    tx.executemany("UPDATE kb_names SET keys = ? WHERE entity = ? AND name = ?",
                                   [(_dumps(sorted(blocking_keys(name, schemata.get(entity)))), entity, name)
                                    for entity, name in names])
                done += len(rows)
                if progress:
                    progress(len(rows))
            self._build_index()
        return done

    def index_is_current(self) -> bool:
        """False when the index was built by another version of ``blocking_keys``
        (run ``reindex``); True for an empty knowledge base."""
        with self.store._errors("read the knowledge-base index version"):
            row = self._db.execute("SELECT value FROM kb_meta WHERE name = 'blocking_keys'").fetchone()
        return row is None or row[0] == _fingerprint()

    # -- searching ---------------------------------------------------------------

    def search(self, name: str, schema: str | None = None, limit: int = 10, topics: Iterable[str] | None = None,
               threshold: float = LINK_THRESHOLD) -> list[Candidate]:
        """Entities with a name matching ``name`` at ``threshold`` or above, best first.

        ``schema``: ``"person"``, ``"organization"`` (or ``"organisation"``) or any FtM
        schema name; only compatible entities are returned (a Person query never returns a
        Company; a generic LegalEntity may come back for both). ``topics``: only entities
        with at least one of these topics.
        """
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        if not name or not name.strip() or limit == 0:
            return []
        with self.store._errors(f"search the knowledge base for {name!r}"):
            query_schema = self._query_schema(schema)
            if not self._entities():
                return []
            allowed = self._compatible(query_schema) if query_schema else None
            if allowed is not None and not allowed:
                return []
            groups = self._key_groups(name, query_schema)
            if not groups:
                return []
            wanted = max(MIN_SCORED, limit + MIN_SCORED // 2)
            # per group, its keys as they appear in kb_names.keys, heaviest first
            needles = [sorted(((key, w) for key, (_, w, _) in group.items()), key=lambda x: -x[1])
                       for group in groups]
            weights = self._candidates(groups)
            rows = self._filtered(weights, allowed, list(topics) if topics is not None else None, wanted)
            names = self._names([row[0] for row in rows])
            return self._score(name, needles, rows, names, weights, threshold, limit)

    def screen(self, name: str, schema: str | None = None, limit: int = 10,
               threshold: float = SCREEN_THRESHOLD) -> list[Candidate]:
        """``search`` among entities on sanctions lists (``SANCTION_TOPICS``), at the screening threshold."""
        return self.search(name, schema=schema, limit=limit, topics=SANCTION_TOPICS, threshold=threshold)

    def _key_groups(self, name: str, schema: str | None) -> list[dict[str, tuple[int, float, bool]]]:
        """The query's blocking keys that the index has, grouped by the word of the name
        they come from: ``[{key: (entities with it, weight, exact)}]`` (not exact: a key of a
        word the index does not have, or a neighbour of it). A word's keys (the word,
        its sound, the ids of the name it spells) say one thing: a candidate scores the
        best of them, not their sum. A word missing from the index (a typo?) is looked up
        among the words of the index one or two edits away, at a discount."""
        schemata = [schema] if schema else ["Person", "Organization"]
        keys = set().union(*(blocking_keys(name, s) for s in schemata))
        if not keys:
            return []
        groups: list[set[str]] = []
        seen: set[str] = set()
        for word in name.split():
            mine = set().union(*(blocking_keys(word, s) for s in schemata)) & keys
            if mine - seen:
                groups.append(mine - seen)
                seen |= mine
        words = len(groups)
        groups += [{key} for key in keys - seen]  # keys of the whole name (acronym, words joined...)
        counts = dict(self._db.execute(_KEY_COUNTS, (_dumps(sorted(keys)),)).fetchall())
        total = max(self._entities(), 1)
        out = []
        for i, group in enumerate(groups):
            # a word spelled as no indexed word (a typo? someone unlisted?): its sound and
            # name ids are weaker evidence, like its neighbours
            confirmed = all(counts.get(key) for key in group if key.isalnum())
            weighted = {key: (counts[key], math.log(1 + total / counts[key]), confirmed)
                        for key in group if counts.get(key)}
            for key in group if i < words else ():
                if not counts.get(key) and key.isalnum() and len(key) >= FUZZY_MIN_LENGTH:
                    for near, n in self._near_keys(key):
                        weighted.setdefault(near, (n, FUZZY_FACTOR * math.log(1 + total / n), False))
            if weighted:
                out.append(weighted)
        return out

    def _near_keys(self, key: str) -> list[tuple[str, int]]:
        """Index words one edit (a letter added, dropped, changed, or two swapped) from
        ``key``, closest first: "gonzaez" → "gonzalez", "lvarov" → "lavrov"; for words of
        8 letters or more, two edits among the words that start with the same 3 letters."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if not _fuzzy_word(key):
            return []
        variants = [key, *_deletions(key)]
        words = [w for (w,) in self._db.execute(_NEAR_DELETIONS, {"variants": _dumps(variants)})]
        found = [near for near, _, _ in process.extract(key, words, scorer=OSA.distance, score_cutoff=1,
                                                         limit=FUZZY_KEYS) if near != key]
        if not found and len(key) >= 8:
            words = [w for (w,) in self._db.execute(_NEAR_HEAD, (key[:3], len(key) - 2, len(key) + 2))]
            found = [near for near, _, _ in process.extract(key, words, scorer=OSA.distance, score_cutoff=2,
                                                             limit=FUZZY_KEYS)]
        return list(self._db.execute(_KEY_COUNTS, (_dumps(found),))) if found else []

    def _query_schema(self, schema: str | None) -> str | None:
        if schema is None or not schema.strip():
            return None
        word = schema.strip()
        if word.lower() in SCHEMA_WORDS:
            return SCHEMA_WORDS[word.lower()]
        known = {s.lower(): s for s in self._hierarchy()}
        if word.lower() in known:
            return known[word.lower()]
        raise ValueError(f"unknown schema {schema!r}: person, organization or a FollowTheMoney schema name")

    def _hierarchy(self) -> dict[str, frozenset[str]]:
        if self._schemata is None:
            rows = self._db.execute("SELECT schema, ancestors FROM kb_schemata").fetchall()
            self._schemata = {schema: frozenset(json.loads(ancestors)) for schema, ancestors in rows}
        return self._schemata

    def _compatible(self, schema: str) -> list[str]:
        """Schemata whose entities may be a ``schema``: its descendants and its ancestors."""
        hierarchy = self._hierarchy()
        mine = hierarchy.get(schema, frozenset({schema}))
        return sorted(s for s, ancestors in hierarchy.items() if schema in ancestors or s in mine)

    def _entities(self) -> int:
        if self._total is None:
            (self._total,) = self._db.execute("SELECT count(*) FROM kb_entities").fetchone()
        return self._total

    def _candidates(self, groups: list[dict[str, tuple[int, float, bool]]]) -> dict[int, float]:
        """Entities that may match -> their weight: the sum over the query's key groups of
        the best weight of a key of the group the entity has (a group without rare key:
        its most common key's weight).

        Candidates are the entities having the query's rare keys (keys of POSTING_CAP
        entities or fewer), the CANDIDATES best. When no word of the query has a rare key
        of its own (common words, or typos whose neighbours are common), also the entities
        having both the two rarest words' common keys (or the rarest one's only, when no
        entity has both), CANDIDATES at most. A common key is never read whole: it only
        credits the candidates found (so "mohammad" cannot flood them)."""
        db = self._db
        rare = [(key, g, w) for g, group in enumerate(groups) for key, (n, w, _) in group.items() if n <= POSTING_CAP]
        best: dict[int, dict[int, float]] = {}
        if rare:
            for entity, g, w in db.execute(_RARE_HITS, {"keys": _dumps(rare), "top": CANDIDATES}):
                best.setdefault(entity, {})[g] = w
        # per group with common keys: its most common key (any spelling), with its weight
        common = {g: max(((key, n, w) for key, (n, w, _) in group.items() if n > POSTING_CAP), key=lambda x: x[1])
                  for g, group in enumerate(groups) if any(n > POSTING_CAP for n, _, _ in group.values())}
        confirmed = any(n <= POSTING_CAP and exact for group in groups for n, _, exact in group.values())
        if common and not confirmed:
            by_rarity = sorted(common, key=lambda g: min(n for n, _, _ in groups[g].values()))
            g1 = by_rarity[0]
            seed, _ = min(((k, n) for k, (n, _, _) in groups[g1].items() if n > POSTING_CAP), key=lambda x: x[1])
            w1 = groups[g1][seed][1]
            found: list[tuple[int, int, float]] = []
            if len(by_rarity) > 1:
                g2 = by_rarity[1]
                other, _, w2 = common[g2]
                for (entity,) in db.execute(_BOTH_KEYS, (other, seed, CANDIDATES)):
                    found += [(entity, g1, w1), (entity, g2, w2)]
            if not found:
                found = [(entity, g1, w1) for (entity,) in db.execute(_POSTINGS, (seed, CANDIDATES))]
            for entity, g, w in found:
                mine = best.setdefault(entity, {})
                mine[g] = max(w, mine.get(g, 0.0))
        if len(best) > 1:
            for g, (key, _, w) in common.items():
                lacking = [entity for entity, mine in best.items() if g not in mine]
                if lacking:
                    for (entity,) in db.execute(_POSTINGS_AMONG, (key, _dumps(lacking))):
                        best[entity][g] = w
        return {entity: sum(mine.values()) for entity, mine in best.items()}

    def _names(self, seqs: list[int]) -> dict[int, list[tuple[str, int, list[str]]]]:
        """``entity -> [(name, weak, keys)]`` for the given entities."""
        names: dict[int, list[tuple[str, int, list[str]]]] = {}
        if seqs:
            for entity, name, weak, keys in self._db.execute(_CANDIDATE_NAMES, (_dumps(seqs),)):
                names.setdefault(entity, []).append((name, weak, json.loads(keys)))
        return names

    def _filtered(self, weights: dict[int, float], schemata: list[str] | None, topics: list[str] | None,
                  wanted: int) -> list[tuple]:
        """The best-weighted candidates that pass the filters, at most ``wanted`` of them,
        none under MIN_WEIGHT_SHARE of the best one's weight."""
        sql, params = _CANDIDATES, {}
        if schemata is not None:
            sql += _IN_SCHEMATA
            params["schemata"] = _dumps(schemata)
        if topics is not None:
            sql += _WITH_TOPICS
            params["topics"] = _dumps(topics)
        ranked = sorted(weights, key=weights.__getitem__, reverse=True)
        out: list[tuple] = []
        floor = 0.0
        chunk = 2 * wanted
        for start in range(0, min(len(ranked), 8 * chunk), chunk):
            seqs = [s for s in ranked[start:start + chunk] if weights[s] >= floor]
            if not seqs:
                break
            rows = self._db.execute(sql, {**params, "seqs": _dumps(seqs)}).fetchall()
            rows.sort(key=lambda row: -weights[row[0]])
            for row in rows:
                if not out:
                    floor = weights[row[0]] * MIN_WEIGHT_SHARE
                if weights[row[0]] >= floor:
                    out.append(tuple(row))
            if len(out) >= wanted or len(seqs) < chunk:
                break
        return out[:wanted]

    def _score(self, query: str, needles: list[list[tuple[str, float]]], rows: list[tuple],
               names: dict[int, list[tuple[str, int, list[str]]]], weights: dict[int, float],
               threshold: float, limit: int) -> list[Candidate]:
        found = []
        perfect = 0
        for seq, entity_id, schema, caption, datasets, topics, countries, qid in rows:
            if perfect >= limit:  # candidates come heaviest first: the others can only tie
                break
            # the names sharing the most with the query first; of those, the ones with the
            # fewest other keys (the closest: "Роснефть" before "NK Rosneft" for "Rosneft")
            mine = [(name, weak, _weight(needles, set(keys)) - 1e-3 * len(keys))
                    for name, weak, keys in names.get(seq, [])]
            best = self._best_name(query, mine, schema)
            if best is None or best[0] < threshold:
                continue
            score, matched, why = best
            perfect += score >= 1.0
            found.append((-score, -weights[seq], entity_id, Candidate(
                id=entity_id, name=caption, schema=schema, score=round(score, 4), matched_name=matched, why=why,
                datasets=json.loads(datasets), topics=json.loads(topics), countries=json.loads(countries),
                qid=qid)))
        found.sort(key=lambda item: item[:3])
        return [item[3] for item in found[:limit]]

    @staticmethod
    def _best_name(query: str, names: list[tuple[str, int, float]], schema: str) -> tuple[float, str, str] | None:
        """Score the names of one candidate sharing the most key weight with the query
        (NAMES_SCORED strong and NAMES_SCORED weak ones at most)."""
        best = None
        for weak in (0, 1):
            mine = sorted((n for n in names if n[1] == weak), key=lambda n: -n[2])[:NAMES_SCORED]
            if not mine:
                continue
            result = match(query, [n[0] for n in mine], schema)
            score = result.score * (WEAK_FACTOR if weak else 1.0)
            if result.name and (best is None or score > best[0]):
                best = (score, result.name, result.why + (" (weak alias)" if weak else ""))
        return best

    # -- reading -------------------------------------------------------------------

    def get(self, entity_id: str) -> dict[str, Any] | None:
        """One entity with its names, or None: ``{"id", "schema", "caption", "datasets",
        "topics", "countries", "qid", "properties", "first_seen", "last_seen", "names"}``
        (``names``: ``[{"name", "weak"}]``)."""
        with self.store._errors(f"read knowledge-base entity {entity_id}"):
            row = self._db.execute(f"SELECT {_ENTITY_COLUMNS} FROM kb_entities WHERE id = ?",
                                   (entity_id,)).fetchone()
            if row is None:
                return None
            names = self._db.execute("SELECT name, weak FROM kb_names WHERE entity = ? ORDER BY weak, name",
                                     (row[0],)).fetchall()
        out = asdict(_from_row(row))
        out["names"] = [{"name": name, "weak": bool(weak)} for name, weak in names]
        return out

    def counts(self) -> dict[str, int]:
        """``{"entities", "names", "keys", "sanctioned", "datasets"}``: entities, their names,
        distinct blocking keys, entities on sanctions lists, distinct datasets."""
        with self.store._errors("count knowledge-base entities"):
            row = self._db.execute(
                f"""SELECT (SELECT count(*) FROM kb_entities),
                           (SELECT count(*) FROM kb_names),
                           (SELECT count(*) FROM kb_key_counts),
                           (SELECT count(*) FROM kb_entities WHERE {_WITH_TOPICS[5:]}),
                           (SELECT count(DISTINCT d.value) FROM kb_entities, json_each(kb_entities.datasets) d)""",
                {"topics": _dumps(SANCTION_TOPICS)}).fetchone()
        return dict(zip(("entities", "names", "keys", "sanctioned", "datasets"), row, strict=True))

    def datasets(self) -> dict[str, int]:
        """Entities per dataset, most first."""
        with self.store._errors("list knowledge-base datasets"):
            rows = self._db.execute(
                """SELECT d.value, count(*) FROM kb_entities, json_each(kb_entities.datasets) d
                   GROUP BY d.value ORDER BY count(*) DESC, d.value""").fetchall()
        return dict(rows)

    def has_sanctions(self) -> bool:
        """Whether any entity is on a sanctions list (``SANCTION_TOPICS``)."""
        with self.store._errors("look for sanctions lists in the knowledge base"):
            row = self._db.execute(f"SELECT 1 FROM kb_entities WHERE {_WITH_TOPICS[5:]} LIMIT 1",
                                   {"topics": _dumps(SANCTION_TOPICS)}).fetchone()
        return row is not None

    def entities(self) -> Iterator[dict[str, Any]]:
        """Every entity, as ``get`` returns it but without names, in load order."""
        last = 0
        while True:
            with self.store._errors("read knowledge-base entities"):
                rows = self._db.execute(
                    f"SELECT {_ENTITY_COLUMNS} FROM kb_entities WHERE seq > ? ORDER BY seq LIMIT 1000",
                    (last,)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                yield asdict(_from_row(row))


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json", ".jsonl", ".ftm", ".ndjson"):
        name = name.removesuffix(suffix)
    return name or path.name
