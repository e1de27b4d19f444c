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
  ``abbreviation`` as weak names; first + last name when a person has no full name) is read
  once (``veille.kb.names.read_name``, with rigour's tagger) and goes to ``kb_names`` as
  read (``dump_name``: a search scores it without reading it again) with its blocking keys
  (``name_keys``); the keys go to the persisted index ``kb_keys``, with the length of each
  posting list (``kb_key_counts``) and, for the words, their one-letter deletions
  (``kb_key_deletions``); the symbols of person-name parts go to ``kb_vocabulary``. A big
  load (into an empty knowledge base, or of more than ``BULK_AFTER`` entities) writes names
  only and builds the index at the end, sorted, in SQL.
* Every load ends by *packing* the index (``veille.kb.packed``): all posting lists as one
  array of entity numbers (``kb_packed``; each key's ``start`` in ``kb_key_counts``), with a
  list per schema and per topic, and every entity's names as read (their parts numbered,
  namesakes sharing one reading), which a search reads once and then works on in memory.
* ``search`` and ``screen`` (one name), ``search_many`` and ``screen_many`` (a list, in
  batches; in several processes if asked: this one and workers it keeps for the next lists,
  until ``close``) are ``veille.kb.search``: the query's keys
  weighted by rarity, candidates from the rare keys (a common key such as "mohammad" only
  credits them), filters by schema and topics, and ``veille.kb.names.score_read`` on the
  best candidates' names, from the packed index (skipping those that provably cannot reach
  the threshold; a name many entities share is scored once per query).
* Loads, reindexing and searches run with Python's cyclic garbage collector paused
  (``veille.kb.collector``): they make no reference cycles, and the collector revisiting
  their caches cost a search 40-50% more.

The search side imports neither FtM nor spaCy, and reads person names without rigour's
tagger of given and family names (seconds to build per process): the schema hierarchy it
needs is written into the database by the loader (``kb_schemata``), the symbols of name
parts too (``kb_vocabulary``).
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veille.kb import collector, native

native.use_current()  # (before the compiled modules are imported: see veille.kb.native)

from veille.kb import names as _names  # noqa: E402
from veille.kb.names import LINK_THRESHOLD, NAMES_VERSION, SCREEN_THRESHOLD  # noqa: E402
from veille.kb.packed import pack, packed_meta  # noqa: E402
from veille.kb.search import BATCH, FUZZY_MAX_LENGTH, FUZZY_MIN_LENGTH, Hit, Searcher, deletions, fuzzy_word  # noqa: E402
from veille.kb.search import candidates as search_candidates  # noqa: E402

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

#: entities a load reads in this process before it starts worker processes to read names
PARALLEL_AFTER = 10_000
#: entities per load transaction
BATCH_SIZE = 5_000
#: SQLite page cache while loading (KiB)
LOAD_CACHE_KB = 262_144
#: a load that has changed this many entities (and a quarter of those there were) stops
#: updating the index batch by batch and rebuilds it at the end
BULK_AFTER = 50_000
#: reasons of invalid lines kept in LoadStats.problems (all are counted)
MAX_PROBLEMS = 20
_STRONG_NAMES = ("name", "alias", "previousName")
_WEAK_NAMES = ("weakAlias", "abbreviation")

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
        """The fields by name, in their order: ``asdict``'s result, for a tenth of its cost (it
        deep-copies each value, here a copy of each list of strings; a screening prints
        thousands of candidates a second)."""
        values = self.__dict__
        return {name: list(values[name]) if name in _CANDIDATE_LISTS else values[name] for name in _CANDIDATE_ORDER}

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Candidate:
        """A candidate of ``fields`` (every field, by name), made as pickle makes one: without
        the generated ``__init__``, which sets each field of a frozen dataclass through
        ``object.__setattr__``: ten Python calls, 3% of a screening's instructions on a long list."""
        if fields.keys() != _CANDIDATE_FIELDS:
            raise TypeError(f"a Candidate has the fields {sorted(_CANDIDATE_FIELDS)}, not {sorted(fields)}")
        made = object.__new__(cls)
        made.__dict__.update(fields)
        return made


_CANDIDATE_ORDER = tuple(f.name for f in dataclass_fields(Candidate))
_CANDIDATE_FIELDS = set(_CANDIDATE_ORDER)
_CANDIDATE_LISTS = frozenset({"datasets", "topics", "countries"})


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


# an entity's names as read: ``[(name, weak, sorted keys, read name as JSON)]`` and the
# symbols of its person-name parts
_NameRows = tuple[list[tuple[str, int, tuple[str, ...], str]], dict[str, tuple[str, ...]]]


def _name_rows(schema: str, properties: Mapping[str, list[str]]) -> _NameRows:
    """Read the names of an entity (``entity_names``) for ``kb_names`` and ``kb_vocabulary``."""
    rows, vocabulary = [], {}
    for name, weak in entity_names(schema, properties):
        parsed = _names.read_name(name, schema)
        vocabulary.update((form, tuple(sorted(syms))) for form, syms in _names.vocabulary(parsed).items())
        rows.append((name, int(weak), tuple(sorted(_names.name_keys(parsed))), _names.dump_name(parsed)))
    return rows, vocabulary


def _read_batch(items: list[tuple[str, str, dict[str, list[str]]]]) -> dict[str, _NameRows]:
    """``_name_rows`` of ``(id, schema, properties)`` items: the work of a loader process
    (which keeps no cache: it reads each name once)."""
    try:
        with collector.paused():
            return {entity_id: _name_rows(schema, properties) for entity_id, schema, properties in items}
    finally:
        _names.clear_caches()


class _NameReader:
    """Reads the names of loaded batches, in this process or, for a long load, in worker
    processes while this one validates the next batch and writes the last one: reading
    names (rigour) is most of a load's work."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: Any = None
        self.entities = 0

    def submit(self, batch: dict[str, _Entity]) -> Callable[[], dict[str, _NameRows]]:
        """Start reading the names of a batch; call the result to get them."""
        items = [(e.id, e.schema, e.properties) for e in batch.values()]
        self.entities += len(items)
        if self.workers > 1 and self.entities > PARALLEL_AFTER and self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context())
        if self.pool is None:
            return lambda: _read_batch(items)
        return self.pool.submit(_read_batch, items).result

    @property
    def depth(self) -> int:
        """Batches to keep in flight."""
        return self.workers if self.pool is not None else 0

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _fingerprint() -> str:
    """The version of name reading and keys the index was built with (``NAMES_VERSION``)."""
    return f"names-{NAMES_VERSION}"


# -- SQL -----------------------------------------------------------------------------

_ENTITY_COLUMNS = "seq, id, schema, caption, datasets, topics, countries, qid, properties, first_seen, last_seen"
_SELECT_EXISTING = f"SELECT {_ENTITY_COLUMNS} FROM kb_entities WHERE id IN (SELECT value FROM json_each(?))"
_INSERT_ENTITY = f"INSERT INTO kb_entities ({_ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_UPDATE_ENTITY = """UPDATE kb_entities SET id = ?, schema = ?, caption = ?, datasets = ?, topics = ?,
    countries = ?, qid = ?, properties = ?, first_seen = ?, last_seen = ? WHERE seq = ?"""
_OLD_NAMES = "SELECT entity, keys FROM kb_names WHERE entity IN (SELECT value FROM json_each(?))"
_DELETE_NAMES = "DELETE FROM kb_names WHERE entity = ?"
_INSERT_NAME = "INSERT INTO kb_names (entity, name, weak, keys, parsed) VALUES (?, ?, ?, ?, ?)"
_INSERT_VOCABULARY = "INSERT OR IGNORE INTO kb_vocabulary (form, symbols) VALUES (?, ?)"
_DELETE_KEY = "DELETE FROM kb_keys WHERE key = ? AND entity = ?"
_INSERT_KEY = "INSERT OR IGNORE INTO kb_keys (key, entity) VALUES (?, ?)"
_BUILD_KEYS = """INSERT OR IGNORE INTO kb_keys (key, entity)
    SELECT k.value, n.entity FROM kb_names n, json_each(n.keys) k ORDER BY 1, 2"""
_KEY_COUNTS = "SELECT key, n FROM kb_key_counts WHERE key IN (SELECT value FROM json_each(?))"
_SET_INDEX_VERSION = "INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('blocking_keys', ?)"
_INSERT_DELETION = "INSERT OR IGNORE INTO kb_key_deletions (variant, key) VALUES (?, ?)"
_BUILD_DELETIONS = f"""WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < {FUZZY_MAX_LENGTH})
    INSERT OR IGNORE INTO kb_key_deletions (variant, key)
    SELECT substr(k.key, 1, i.n - 1) || substr(k.key, i.n + 1), k.key FROM kb_key_counts k JOIN i ON i.n <= length(k.key)
    WHERE length(k.key) BETWEEN {FUZZY_MIN_LENGTH} AND {FUZZY_MAX_LENGTH} AND k.key NOT GLOB '*[^a-z0-9]*'
    ORDER BY 1, 2"""
_WITH_TOPICS = """ AND EXISTS (SELECT 1 FROM json_each(kb_entities.topics) t
    WHERE t.value IN (SELECT value FROM json_each(:topics)))"""

class KnowledgeBase:
    """The FtM entities of a Veille SQLite store. Get one with ``store.knowledge_base()``.

    Every method raises ``StoreError`` when the database fails; a negative ``limit`` is a
    caller bug (``ValueError``).
    """

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self._schemata: dict[str, frozenset[str]] | None = None
        self._searcher = Searcher(self)
        # the worker processes of parallel searches (``_search_in_processes``): how many, the
        # process that started them, and their pool
        self._pool: tuple[int, int, Any] | None = None
        # one search at a time (a store may be shared by threads): the searcher's caches are
        # filled and emptied batch by batch, and a parallel search has the workers to itself
        self._searching = threading.RLock()

    def __repr__(self) -> str:
        return f"KnowledgeBase({self.store.location!r})"

    @property
    def _db(self) -> sqlite3.Connection:
        return self.store._db

    def close(self) -> None:
        """Stop the worker processes that parallel searches keep (``store.close()`` does it for
        the knowledge bases it gave). Searching again starts new ones."""
        with self._searching:  # (once a search of another thread has its results)
            pool, self._pool = self._pool, None
        if pool is not None and pool[1] == os.getpid():  # (a forked process has only the parent's)
            _leaving(pool[2])

    # -- loading ---------------------------------------------------------------

    def load_file(self, path: str | Path, format: str = "auto", dataset: str | None = None,
                  progress: Callable[[int], None] | None = None, workers: int | None = None) -> LoadStats:
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
        return self.load(entities, dataset=dataset, progress=progress, stats=stats, workers=workers)

    def load(self, entities: Iterable[Mapping[str, Any]], dataset: str | None = None,
             progress: Callable[[int], None] | None = None, stats: LoadStats | None = None,
             workers: int | None = None) -> LoadStats:
        """Upsert FtM entity dicts (``{"id", "schema", "properties", ...}``), streamed in batches.

        ``dataset`` is added to each entity's ``datasets`` (an entity without any gets
        ``"default"``); top-level ``topics`` are added to the ``topics`` property. Entities
        of other schemata than ``KB_SCHEMATA`` are counted in ``skipped``; invalid ones in
        ``invalid``, with their reasons. ``progress(n)`` is called after each batch with the
        number of input entities it took. Idempotent. ``workers``: processes reading names once
        the load is long (more than ``PARALLEL_AFTER`` entities; default: one per core, 2 at most).
        """
        stats = stats if stats is not None else LoadStats()
        reader = _NameReader(workers if workers is not None else min(2, os.cpu_count() or 1))
        pending: list[tuple[dict[str, _Entity], Callable[[], dict[str, _NameRows]], int]] = []
        db = self._db
        with self.store._errors("load knowledge-base entities"), collector.paused():
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
                def write_one() -> None:
                    nonlocal bulk
                    done, read, count = pending.pop(0)
                    self._write(done, stats, bulk, read())
                    if progress:
                        progress(count)
                    if not bulk and stats.new + stats.updated >= max(BULK_AFTER, existing // 4):
                        bulk = True
                        self._write_schemata(pending=True)

                for data in entities:
                    taken += 1
                    self._take(data, dataset, batch, stats)
                    if len(batch) >= BATCH_SIZE:
                        pending.append((batch, reader.submit(batch), taken))
                        batch, taken = {}, 0
                        while len(pending) > reader.depth:
                            write_one()
                if batch or taken:
                    pending.append((batch, reader.submit(batch), taken))
                while pending:
                    write_one()
            finally:
                reader.close()
                try:
                    if bulk:
                        self._build_index()
                    elif packed_meta(db) is None or self._stale():
                        self._index_built()  # (a load that changed nothing leaves the index as it was)
                    db.execute("PRAGMA optimize")
                finally:
                    db.execute(f"PRAGMA cache_size = {int(cache)}")
                    self._searcher.reset()
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
                db.execute(_SET_INDEX_VERSION, ("pending",))
        self._schemata = None

    def _build_index(self) -> None:
        """(Re)build ``kb_keys``, ``kb_key_counts`` and ``kb_key_deletions`` from the keys of
        ``kb_names``, sorted, and pack the index (``veille.kb.packed``)."""
        with self.store._transaction() as db:
            db.execute("DELETE FROM kb_keys")
            db.execute("DELETE FROM kb_key_deletions")
            db.execute(_BUILD_KEYS)
            pack(db)
            db.execute(_BUILD_DELETIONS)
            db.execute(_SET_INDEX_VERSION, (_fingerprint(),))
        self._searcher.reset()

    def _index_built(self) -> None:
        """After a load batch by batch: pack the index it updated."""
        with self.store._transaction() as db:
            pack(db)
            db.execute(_SET_INDEX_VERSION, (_fingerprint(),))
        self._searcher.reset()

    def pack(self) -> None:
        """Pack the index for searching (``veille.kb.packed``): every load does; a search does
        it once on a knowledge base loaded by a Veille that did not."""
        with self.store._errors("pack the knowledge-base index"), self.store._transaction() as db:
            pack(db)
        self._searcher.reset()

    def _write(self, batch: dict[str, _Entity], stats: LoadStats, bulk: bool = False,
               read: dict[str, _NameRows] | None = None) -> None:
        """Upsert one batch in one transaction (``bulk``: names only, the index comes later);
        ``read``: the names of the batch's entities, read already."""
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
            names, keys, vocabulary = [], set(), {}
            for entity_seq, entity in written:
                # names read with the batch, unless the entity was merged with a stored one
                source = batch.get(entity.id)
                mine = (read.get(entity.id) if read and source is not None and source.schema == entity.schema
                        and source.properties is entity.properties else None)
                rows, symbols = mine or _name_rows(entity.schema, entity.properties)
                vocabulary.update(symbols)
                for name, weak, name_keys, parsed in rows:
                    names.append((entity_seq, name, weak, _dumps(list(name_keys)), parsed))
                    keys.update((key, entity_seq) for key in name_keys)
            db.executemany(_INSERT_NAME, names)
            db.executemany(_INSERT_VOCABULARY, sorted((form, _dumps(list(syms))) for form, syms in vocabulary.items()))
            if bulk:
                return
            db.executemany(_INSERT_KEY, sorted(keys))
            counts.update(key for key, _ in keys)
            words = {key for key, n in counts.items() if n > 0 and fuzzy_word(key)}
            if words:  # new words of the index: their deletions (those of gone words may stay: harmless)
                known = {k for k, _ in db.execute(_KEY_COUNTS, (_dumps(sorted(words)),))}
                db.executemany(_INSERT_DELETION, sorted((variant, word) for word in words - known
                                                        for variant in deletions(word)))
            if inserts or updates:
                # kb_key_counts and kb_packed stay as packed (a search meanwhile reads that
                # consistent snapshot) until the load packs again at its end; if it never gets
                # there, this says so (``index_is_current``) and the next load packs
                db.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('packed_stale', '1')")

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Recompute the blocking keys of every stored name and rebuild the index (after
        ``blocking_keys`` changed, or an interrupted load); returns the entities indexed."""
        db = self._db
        done = 0
        with self.store._errors("rebuild the knowledge-base index"), collector.paused():
            with self.store._transaction() as tx:
                tx.execute(_SET_INDEX_VERSION, ("pending",))
                tx.execute("DELETE FROM kb_vocabulary")
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
                    updates, vocabulary = [], {}
                    for entity, name in names:
                        parsed = _names.read_name(name, schemata.get(entity))
                        vocabulary.update(_names.vocabulary(parsed))
                        updates.append((_dumps(sorted(_names.name_keys(parsed))), _names.dump_name(parsed), entity, name))
                    tx.executemany("UPDATE kb_names SET keys = ?, parsed = ? WHERE entity = ? AND name = ?", updates)
                    tx.executemany(_INSERT_VOCABULARY,
                                   sorted((form, _dumps(sorted(syms))) for form, syms in vocabulary.items()))
                done += len(rows)
                if progress:
                    progress(len(rows))
            self._build_index()
        return done

    def index_is_current(self) -> bool:
        """False when the index was built by another version of ``blocking_keys``, or a load
        is running or stopped before packing the index (run ``reindex``); True for an empty
        knowledge base."""
        with self.store._errors("read the knowledge-base index version"):
            row = self._db.execute("SELECT value FROM kb_meta WHERE name = 'blocking_keys'").fetchone()
            return (row is None or row[0] == _fingerprint()) and not self._stale()

    def _stale(self) -> bool:
        """Whether entities were written since the index was last packed."""
        return self._db.execute("SELECT 1 FROM kb_meta WHERE name = 'packed_stale'").fetchone() is not None

    # -- searching ---------------------------------------------------------------

    def search(self, name: str, schema: str | None = None, limit: int = 10, topics: Iterable[str] | None = None,
               threshold: float = LINK_THRESHOLD) -> list[Candidate]:
        """Entities with a name matching ``name`` at ``threshold`` or above, best first.

        ``schema``: ``"person"``, ``"organization"`` (or ``"organisation"``) or any FtM
        schema name; only compatible entities are returned (a Person query never returns a
        Company; a generic LegalEntity may come back for both). ``topics``: only entities
        with at least one of these topics.
        """
        return self.search_many([name], schema=schema, limit=limit, topics=topics, threshold=threshold)[0]

    def search_many(self, names: Sequence[str], schema: str | None = None, limit: int = 10,
                    topics: Iterable[str] | None = None, threshold: float = LINK_THRESHOLD,
                    workers: int = 1) -> list[list[Candidate]]:
        """``search`` for each of ``names``, in batches (``veille.kb.search``): many names
        cost much less than as many searches. ``workers`` > 1 shares long lists (several
        batches) among as many processes, this one and ``workers - 1`` it starts, each with its
        own connection to the database (not for an in-memory store)."""
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        if workers > 1 and len(names) > BATCH and self.store.location != ":memory:":
            return self._search_in_processes(names, schema, limit, topics, threshold, workers)
        return search_candidates(self._search_hits(names, schema, limit, topics, threshold))

    def _search_hits(self, names: Sequence[str], schema: str | None, limit: int, topics: Iterable[str] | None,
                     threshold: float) -> list[list[Hit]]:
        """``search_many`` in this process, its candidates as rows (``veille.kb.search.Hit``)."""
        out: list[list[Hit]] = [[] for _ in names]
        asked = [i for i, name in enumerate(names) if isinstance(name, str) and name.strip()]
        if not asked or limit == 0:
            return out
        with self._searching, self.store._errors(f"search the knowledge base for {names[asked[0]]!r}"
                                                 + (f" and {len(asked) - 1} other names" if len(asked) > 1 else "")):
            query_schema = self._query_schema(schema)
            self._searcher.sync()
            if not self._searcher._entities():
                return out
            allowed = self._compatible(query_schema) if query_schema else None
            if allowed is not None and not allowed:
                return out
            found = self._searcher.search([names[i] for i in asked], query_schema, limit,
                                          list(topics) if topics is not None else None, threshold, allowed)
        for i, candidates in zip(asked, found, strict=True):
            out[i] = candidates
        return out

    def screen(self, name: str, schema: str | None = None, limit: int = 10,
               threshold: float = SCREEN_THRESHOLD) -> list[Candidate]:
        """``search`` among entities on sanctions lists (``SANCTION_TOPICS``), at the screening threshold."""
        return self.screen_many([name], schema=schema, limit=limit, threshold=threshold)[0]

    def screen_many(self, names: Sequence[str], schema: str | None = None, limit: int = 10,
                    threshold: float = SCREEN_THRESHOLD, workers: int = 1) -> list[list[Candidate]]:
        """``screen`` for each of ``names``, in batches (see ``search_many``)."""
        return self.search_many(names, schema=schema, limit=limit, topics=SANCTION_TOPICS, threshold=threshold,
                                workers=workers)

    def _search_in_processes(self, names: Sequence[str], schema: str | None, limit: int,
                             topics: Iterable[str] | None, threshold: float, workers: int) -> list[list[Candidate]]:
        """``search_many`` shared by this process and ``workers - 1`` others (forked where the
        system can): each chunk of names (``_chunks``) goes to whichever is free first.

        This process searches its share rather than wait for the others: its memory is in place
        already, where a new process first faults in every page it touches (a few microseconds
        each on a virtual machine: a tenth of its time), and there is one process fewer to
        start. The others are kept for the next searches (``_workers``), their caches warm."""
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        chunks = _chunks(names, workers)
        options = (schema, limit, list(topics) if topics is not None else None, threshold)
        found: list[list[list[Candidate]]] = [[] for _ in chunks]
        # (the collector paused while this process searches and the results come in: they are
        # objects by the hundred thousand, and make no reference cycles)
        with self._searching, collector.paused():
            pool = self._workers(workers - 1, schema, topics)
            try:
                queued: dict[Future[list[list[Hit]]], int] = {}  # chunks given to the workers
                taken = 0  # chunks given out, in order
                while taken < len(chunks) or queued:
                    # each worker with a chunk to search and the next one waiting (a chunk a worker
                    # has been given is its own: no other process can take it back)
                    while taken < len(chunks) and len(queued) < 2 * (workers - 1):
                        queued[pool.submit(_search_worker, chunks[taken], options)] = taken
                        taken += 1
                    if taken < len(chunks):  # the next chunk, searched here
                        found[taken] = search_candidates(self._search_hits(chunks[taken], schema, limit, topics,
                                                                           threshold))
                        taken += 1
                    else:
                        wait(queued, return_when=FIRST_COMPLETED)
                    for future in [f for f in queued if f.done()]:
                        found[queued.pop(future)] = search_candidates(future.result())
            except BaseException:
                self.close()  # (a worker failed, or this process: none left with a chunk of this search)
                raise
        return [of_name for chunk in found for of_name in chunk]

    def _workers(self, processes: int, schema: str | None, topics: Iterable[str] | None) -> Any:
        """The pool of ``processes`` worker processes for parallel searches: those of the last
        search if it had as many, else new ones. A worker opens its own connection to the
        database, and reads the packed index again only if it changes (a load since)."""
        from concurrent.futures import ProcessPoolExecutor

        global _INHERITED
        if self._pool is not None and self._pool[:2] == (processes, os.getpid()) and not self._pool[2]._broken:
            return self._pool[2]  # (a pool is broken once a worker died: killed since the last search?)
        self.close()
        context = _worker_context()
        with self.store._errors("read the knowledge-base index"):
            self._searcher.sync()  # forked workers inherit the packed index rather than read it again
        _INHERITED = self._searcher.packed_index() if context.get_start_method() == "fork" else None
        if _INHERITED is not None:  # (and its look-ups, built once rather than in every worker)
            query_schema = self._query_schema(schema)
            _INHERITED.prepare(self._compatible(query_schema) if query_schema else None,
                               list(topics) if topics is not None else None)
        # forked workers share this process's objects until they write to them: the garbage
        # collector of a worker would (it marks every object it visits), copying the whole heap.
        # (Unfrozen before the collector comes back on, which then moves the objects this
        # process made to the oldest generation rather than visit them all at once.)
        gc.freeze()
        try:
            pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_open_worker,
                                       initargs=(self.store.location,))
            pool.submit(int)  # (a pool starts its processes with its first task: now, while frozen)
        finally:
            gc.unfreeze()
            _INHERITED = None  # (forked: the workers have it; not kept here past a load)
        _join_at_exit()
        _LIVE.add(pool)
        self._pool = (processes, os.getpid(), pool)
        return pool

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


def _chunks(names: Sequence[str], workers: int) -> list[list[str]]:
    """``names`` in chunks for ``workers`` processes: BATCH names each, then smaller and smaller
    ones towards the end (a quarter of what is left per worker, BATCH // 8 at least), so that
    the processes finish together rather than one idling while another searches a last batch
    (searching a name does not depend on the others of its chunk)."""
    chunks, start = [], 0
    while start < len(names):
        size = max(BATCH // 8, min(BATCH, (len(names) - start) // (2 * workers)))
        chunks.append(list(names[start:start + size]))
        start += size
    return chunks


def _worker_context() -> Any:
    """How worker processes start: forked where the system can, so that they inherit rigour's
    name tagger (seconds to build) and need no ``__main__`` guard in the caller's script.
    A forked worker never touches the parent's SQLite connection (a loader worker only reads
    names; a search worker opens its own) and leaves with ``os._exit``, so never closes it."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


_WORKER_KB: KnowledgeBase | None = None
_INHERITED: Any = None  # the packed index of the process that forks search workers
# The pools of search workers kept by knowledge bases (``KnowledgeBase._workers``), and the
# threads of the pools shut down without waiting for their workers, until this process exits.
# Python 3.11's own exit hook for process pools wakes each pool's thread through a pipe which
# that thread closes once its workers have exited: a process leaving at that very moment printed
# "OSError: [Errno 9] Bad file descriptor" (later Pythons guard the pipe with a lock: CPython
# gh-125451). ``_join_pools``, run before that hook, shuts them all down and waits instead.
_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
_LEAVING: list[Any] = []  # (threads)
_LEAVING_AT_MOST = 8
_JOIN_AT_EXIT = False  # whether _join_pools is registered


def _leaving(pool: Any) -> None:
    """Shut ``pool`` down without waiting for its workers to exit (tearing down their memory
    takes a tenth of a second), and keep its thread, which waits for them, until this process
    exits. (The thread, not the pool: a pool shut down forgets its thread, and shutting it
    down again then waits for nothing.)"""
    thread = pool._executor_manager_thread
    pool.shutdown(wait=False, cancel_futures=True)
    _LIVE.discard(pool)
    if thread is not None:
        _LEAVING.append(thread)
    while len(_LEAVING) > _LEAVING_AT_MOST:  # (calls ago: its workers have long exited)
        _LEAVING.pop(0).join()


def _join_at_exit() -> None:
    """Have ``_join_pools`` run when this process exits."""
    import threading

    global _JOIN_AT_EXIT
    if not _JOIN_AT_EXIT:
        # threading's exit hooks run before it joins the other threads (and before atexit's),
        # last registered first: this one before that of concurrent.futures, registered when
        # it was imported. (A private function of threading, which concurrent.futures uses for
        # the same purpose; without it, the race stays possible.)
        register = getattr(threading, "_register_atexit", None)
        if register is not None:
            register(_join_pools)
        _JOIN_AT_EXIT = True


def _join_pools() -> None:
    """Shut down every pool of search workers and wait until their processes have exited."""
    for pool in list(_LIVE):
        pool.shutdown(wait=True, cancel_futures=True)
    _LIVE.clear()
    while _LEAVING:
        _LEAVING.pop().join()


def _forget_pools() -> None:
    """In a forked process: the parent's pools are none of its own."""
    _LIVE.clear()
    _LEAVING.clear()


os.register_at_fork(after_in_child=_forget_pools)


def _open_worker(location: str) -> None:
    """A worker process of ``search_many``: its own connection to the database, and the packed
    index its parent had read, if forked (shared memory pages, not another read of it)."""
    global _WORKER_KB
    from veille.store import open_store

    # the process only searches, and makes no reference cycles: no collector for its life (see
    # veille.kb.collector; paused per batch, it would visit each batch's new objects once more)
    gc.disable()
    _WORKER_KB = open_store(location).knowledge_base()
    if _INHERITED is not None:
        _WORKER_KB._searcher.adopt(_INHERITED)


def _search_worker(names: list[str], options: tuple) -> list[list[Hit]]:
    schema, limit, topics, threshold = options
    assert _WORKER_KB is not None
    return _WORKER_KB._search_hits(names, schema, limit, topics, threshold)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".json", ".jsonl", ".ftm", ".ndjson"):
        name = name.removesuffix(suffix)
    return name or path.name
