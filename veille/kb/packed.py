"""The knowledge base's blocking index packed into one array, for searching at list scale.

``kb_keys`` (key → entity rows, clustered by key) is the index the loader maintains. Reading
a name's candidates row by row from it costs more in Python than all the rest of a search
(a thousand rows per name at a million entities), so every load ends by *packing* it:

* the entity numbers of every posting list, in ``kb_keys`` order (key, then entity), as one
  array of 32-bit integers, stored in ``kb_packed`` in chunks of 16 MB;
* each key's list as a slice of that array: ``kb_key_counts`` holds its length ``n`` and its
  ``start``, so a search looks both up in the one statement that gives it the keys' counts;
* after the keys' lists, one list per schema ("@schema:Person") and per topic
  ("@topic:sanction"): a search filters its candidates by schema and topics in memory;
* ``kb_meta`` row ``packed``: the directory of those filter lists, the number of entities and
  the largest one, and a generation token that changes at every packing, so that a searcher in any process
  sees when the knowledge base changed.

A searcher reads the whole array once (4 bytes per posting: 52 MB for a million entities)
and then takes a key's posting list as a slice, sums candidates' key weights and tests
filters with NumPy. Packing a million entities takes about 15 s; a load re-packs at its end.
"""

from __future__ import annotations

import json
import operator
import secrets
import sqlite3
from dataclasses import dataclass, field

import numpy as np

__all__ = ["PACKED_VERSION", "Packed", "pack", "read_packed"]

#: how the packed index is laid out; a packed index of another version is packed again
PACKED_VERSION = 2
#: postings per stored chunk (16 MB)
CHUNK = 1 << 22

_COUNT_KEYS = """INSERT INTO kb_key_counts (key, n, start)
    SELECT key, count(*), sum(count(*)) OVER (ORDER BY key ROWS UNBOUNDED PRECEDING) - count(*)
    FROM kb_keys GROUP BY key ORDER BY key"""
_POSTINGS = "SELECT entity FROM kb_keys ORDER BY key, entity"
_ENTITIES = "SELECT seq, schema, topics FROM kb_entities ORDER BY seq"


def pack(db: sqlite3.Connection) -> dict:
    """Rebuild ``kb_key_counts`` from ``kb_keys`` and pack the index (inside the caller's
    transaction); returns the ``packed`` directory written to ``kb_meta``."""
    db.execute("DELETE FROM kb_key_counts")
    db.execute(_COUNT_KEYS)
    postings = np.fromiter(map(operator.itemgetter(0), db.execute(_POSTINGS)), dtype=np.int32)
    filters: dict[str, list[int]] = {}
    topics_of: dict[str, list[str]] = {}
    size = entities = 0
    for seq, schema, topics in db.execute(_ENTITIES):
        entities += 1
        filters.setdefault(f"@schema:{schema}", []).append(seq)
        mine = topics_of.get(topics)
        if mine is None:  # a handful of distinct topic lists: each parsed once
            mine = topics_of[topics] = sorted(set(json.loads(topics)))
        for topic in mine:
            filters.setdefault(f"@topic:{topic}", []).append(seq)
        size = seq + 1
    parts = [postings]
    directory: dict[str, list[int]] = {}
    start = len(postings)
    for name in sorted(filters):
        seqs = np.asarray(filters[name], dtype=np.int32)
        directory[name] = [start, len(seqs)]
        parts.append(seqs)
        start += len(seqs)
    everything = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    db.execute("DELETE FROM kb_packed")
    db.executemany("INSERT INTO kb_packed (part, data) VALUES (?, ?)",
                   ((i // CHUNK, everything[i:i + CHUNK].astype("<i4").tobytes())
                    for i in range(0, len(everything), CHUNK)))
    meta = {"version": PACKED_VERSION, "generation": secrets.token_hex(8), "postings": int(len(postings)),
            "total": int(len(everything)), "size": size, "entities": entities,
            "filters": directory}
    db.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('packed', ?)",
               (json.dumps(meta, separators=(",", ":")),))
    db.execute("DELETE FROM kb_meta WHERE name = 'packed_stale'")
    return meta


def packed_meta(db: sqlite3.Connection) -> dict | None:
    """The ``packed`` directory of ``kb_meta``, or None when the index was never packed (or
    by another version)."""
    row = db.execute("SELECT value FROM kb_meta WHERE name = 'packed'").fetchone()
    if row is None:
        return None
    meta = json.loads(row[0])
    return meta if meta.get("version") == PACKED_VERSION else None


@dataclass
class Packed:
    """A packed index read into memory."""

    generation: str
    postings: np.ndarray  # int32: every posting list, then the filter lists
    entities: int  # how many there are
    size: int  # the largest entity number + 1
    filters: dict[str, tuple[int, int]]  # "@schema:Person" -> (start, n)
    _masks: dict[tuple, np.ndarray | None] = field(default_factory=dict)
    _schemata: tuple[tuple[str, ...], bytes] | None = None  # schema names, and each entity's (a byte)

    def slice(self, start: int, n: int) -> np.ndarray:
        """A posting list: entity numbers, ascending."""
        return self.postings[start:start + n]

    def schema(self, entity: int) -> str:
        """The schema of an entity ("" for a number no entity has)."""
        if self._schemata is None:
            lists = [name for name in self.filters if name.startswith("@schema:")]
            if len(lists) > 255:  # (FollowTheMoney has fewer than 100)
                raise ValueError(f"{len(lists)} schemata in the knowledge base: at most 255 are read")
            numbers = np.zeros(self.size, dtype=np.uint8)  # 0: none
            for i, name in enumerate(lists, start=1):
                start, n = self.filters[name]
                numbers[self.postings[start:start + n]] = i
            # (a byte string: indexing one gives a Python int, a NumPy array a NumPy scalar)
            self._schemata = ("", *(name.removeprefix("@schema:") for name in lists)), numbers.tobytes()
        names, codes = self._schemata
        return names[codes[entity]] if 0 <= entity < len(codes) else ""

    def prepare(self, schemata: list[str] | None, topics: list[str] | None) -> None:
        """Build now what a search of ``schemata`` and ``topics`` reads (each entity's schema,
        their mask), a few hundredths of a second each: a process about to fork its workers
        builds them once for all of them."""
        self.schema(0)
        self.mask(schemata, topics)

    def mask(self, schemata: list[str] | None, topics: list[str] | None) -> np.ndarray | None:
        """Which entity numbers have one of ``schemata`` and one of ``topics`` (None: any),
        as a boolean array indexed by entity number; None when nothing is filtered."""
        key = (tuple(schemata) if schemata is not None else None, tuple(topics) if topics is not None else None)
        if key in self._masks:
            return self._masks[key]
        mask = None
        for prefix, wanted in (("@schema:", schemata), ("@topic:", topics)):
            if wanted is None:
                continue
            mine = np.zeros(self.size, dtype=bool)
            for value in wanted:
                start, n = self.filters.get(prefix + value, (0, 0))
                mine[self.postings[start:start + n]] = True
            mask = mine if mask is None else mask & mine
        self._masks[key] = mask
        return mask


def read_packed(db: sqlite3.Connection, meta: dict) -> Packed | None:
    """Read the packed index ``meta`` describes into memory; None when its rows are not what
    ``meta`` says (it must be packed again)."""
    # (each chunk copied into the array as it is read: joined into one string first, the postings
    # would be copied once more, and as many fresh pages of memory touched)
    postings = np.empty(meta["total"], dtype="<i4")
    data = postings.view(np.uint8)
    at = 0
    for (chunk,) in db.execute("SELECT data FROM kb_packed ORDER BY part"):
        if at + len(chunk) > len(data):
            return None
        data[at:at + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        at += len(chunk)
    if at != len(data):
        return None
    postings.flags.writeable = False  # (shared by every search, and by forked workers)
    return Packed(meta["generation"], postings, meta["entities"], meta["size"],
                  {name: (start, n) for name, (start, n) in meta["filters"].items()})
