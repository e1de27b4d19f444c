"""The knowledge base's blocking index and names packed into one array, for searching at list scale.

``kb_keys`` (key → entity rows, clustered by key) is the index the loader maintains. Reading
a name's candidates row by row from it costs more in Python than all the rest of a search
(a thousand rows per name at a million entities), so every load ends by *packing* it, into
one run of bytes stored in ``kb_packed`` in chunks of 16 MB, in sections:

* ``postings``: the entity numbers of every posting list, in ``kb_keys`` order (key, then
  entity), as 32-bit integers; each key's list is a slice of it: ``kb_key_counts`` holds its
  length ``n`` and its ``start``, so a search looks both up in the one statement that gives
  it the keys' counts. After the keys' lists, one list per schema ("@schema:Person") and per
  topic ("@topic:sanction"): a search filters its candidates by schema and topics in memory;
* the names of every entity as ``kb_names`` stores them read (``PackedNames``): a search
  scores its candidates' names without a row read for each (rows scattered over a table of a
  gigabyte at a million entities: 7-10 µs each, a sixth of a search), and with their parts
  numbered, each decoded once per process, and one *reading* for names stored the same;
* ``kb_meta`` row ``packed``: where each section lies, the directory of the filter lists,
  the number of entities and the largest one, and a generation token that changes at every
  packing, so that a searcher in any process sees when the knowledge base changed.

A searcher reads it all once (134 MB for a million entities, 52 MB of it postings) and then
takes a key's posting list as a slice, sums candidates' key weights and tests filters with
NumPy, and reads candidates' names from the names sections. Packing a million entities takes
about 37 s here; a load re-packs at its end.
"""

from __future__ import annotations

import json
import operator
import secrets
import sqlite3
from array import array
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from veille.kb import names as _names

__all__ = ["PACKED_VERSION", "Packed", "PackedNames", "pack", "read_packed"]

#: how the packed index is laid out; a packed index of another version is packed again
PACKED_VERSION = 3
#: bytes per stored chunk (16 MB)
CHUNK = 1 << 24

_COUNT_KEYS = """INSERT INTO kb_key_counts (key, n, start)
    SELECT key, count(*), sum(count(*)) OVER (ORDER BY key ROWS UNBOUNDED PRECEDING) - count(*)
    FROM kb_keys GROUP BY key ORDER BY key"""
_POSTINGS = "SELECT entity FROM kb_keys ORDER BY key, entity"
_ENTITIES = "SELECT seq, schema, topics FROM kb_entities ORDER BY seq"
# (the order of the table's primary key: read straight through)
_NAMES = "SELECT entity, name, weak, parsed FROM kb_names ORDER BY entity, name"


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
    sections = {"postings": np.concatenate(parts).astype("<i4")}
    names, kinds = _pack_names(db, size)
    sections.update(names)
    layout: dict[str, list] = {}
    chunks, at = [], 0
    for name, values in sections.items():
        data = np.ascontiguousarray(values).view(np.uint8).reshape(-1)
        layout[name] = [at, len(values), values.dtype.str]
        padding = -len(data) % 8  # (each section starts on 8 bytes: read as an array in place)
        chunks.append(data)
        chunks.append(np.zeros(padding, np.uint8))
        at += len(data) + padding
    everything = np.concatenate(chunks)
    db.execute("DELETE FROM kb_packed")
    db.executemany("INSERT INTO kb_packed (part, data) VALUES (?, ?)",
                   ((i // CHUNK, everything[i:i + CHUNK].tobytes()) for i in range(0, len(everything), CHUNK)))
    meta = {"version": PACKED_VERSION, "generation": secrets.token_hex(8), "postings": int(len(postings)),
            "bytes": int(len(everything)), "sections": layout, "kinds": kinds, "size": size,
            "entities": entities, "filters": directory}
    db.execute("INSERT OR REPLACE INTO kb_meta (name, value) VALUES ('packed', ?)",
               (json.dumps(meta, separators=(",", ":")),))
    db.execute("DELETE FROM kb_meta WHERE name = 'packed_stale'")
    return meta


def _pack_names(db: sqlite3.Connection, size: int) -> tuple[dict[str, np.ndarray], list[str]]:
    """The sections of ``PackedNames``, from ``kb_names``, and the kinds of name they number.
    A name is its text, whether it is a weak alias, and its *reading*: its kind, parts and
    spans as stored (``veille.kb.names.stored_parts``), one reading for all the names stored
    the same (namesakes: a search scores one for all), each part stored once."""
    entities = array("i")
    weak = bytearray()
    reading_of = array("i")
    text_ends = array("q", [0])
    texts = bytearray()
    kinds: dict[str, int] = {}
    reading_kinds = bytearray()
    token_ends = array("q", [0])
    token_ids = array("i")
    span_ends = array("q", [0])
    spans = bytearray()
    part_ends = array("q", [0])
    parts = bytearray()
    tokens: dict[str, int] = {}
    # readings by the hash of their stored text (the texts themselves would take gigabytes for a
    # long list), each checked against the reading it finds: a hash shared by two texts is no harm
    by_hash: dict[int, int] = {}
    for entity, name, is_weak, parsed in db.execute(_NAMES):
        split = _names.stored_parts(parsed)
        if split is None:  # stored before NAMES_VERSION 5: packed as names are stored now
            parsed = _names.dump_name(_names.load_name(parsed))
            split = _names.stored_parts(parsed)
            assert split is not None
        kind, its_parts, its_spans = split
        ids = array("i")
        for part in its_parts:
            number = tokens.get(part)
            if number is None:
                number = tokens[part] = len(tokens)
                parts += part.encode()
                part_ends.append(len(parts))
            ids.append(number)
        code = kinds.setdefault(kind, len(kinds))
        encoded_spans = its_spans.encode()
        key = hash(parsed)
        reading = by_hash.get(key)
        if reading is None or not (reading_kinds[reading] == code
                                   and token_ids[token_ends[reading]:token_ends[reading + 1]] == ids
                                   and spans[span_ends[reading]:span_ends[reading + 1]] == encoded_spans):
            if reading is None:
                by_hash[key] = len(reading_kinds)
            reading = len(reading_kinds)
            reading_kinds.append(code)
            token_ids.extend(ids)
            token_ends.append(len(token_ids))
            spans += encoded_spans
            span_ends.append(len(spans))
        entities.append(entity)
        weak.append(1 if is_weak else 0)
        reading_of.append(reading)
        texts += name.encode()
        text_ends.append(len(texts))
    numbered = np.frombuffer(entities, dtype=np.int32) if len(entities) else np.zeros(0, np.int32)
    counts = np.bincount(numbered, minlength=size)
    first = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    sections = {
        "name_first": first.astype("<i4"), "name_weak": np.frombuffer(bytes(weak), np.uint8),
        "name_reading": np.asarray(reading_of, "<i4"), "name_text_ends": np.asarray(text_ends, "<i8"),
        "name_texts": np.frombuffer(bytes(texts), np.uint8), "reading_kinds": np.frombuffer(bytes(reading_kinds), np.uint8),
        "reading_token_ends": np.asarray(token_ends, "<i8"), "reading_tokens": np.asarray(token_ids, "<i4"),
        "reading_span_ends": np.asarray(span_ends, "<i8"), "reading_spans": np.frombuffer(bytes(spans), np.uint8),
        "part_ends": np.asarray(part_ends, "<i8"), "parts": np.frombuffer(bytes(parts), np.uint8)}
    return sections, list(kinds)


def packed_meta(db: sqlite3.Connection) -> dict | None:
    """The ``packed`` directory of ``kb_meta``, or None when the index was never packed (or
    by another version)."""
    row = db.execute("SELECT value FROM kb_meta WHERE name = 'packed'").fetchone()
    if row is None:
        return None
    meta = json.loads(row[0])
    return meta if meta.get("version") == PACKED_VERSION else None


class PackedNames:
    """Every entity's names as a search scores them, from ``kb_names`` (``_pack_names``): each
    a slice of the packed index rather than a row of a table of a gigabyte, read from all over
    it (a sixth of a search's time), and its parts numbered, so that a search loads each once.
    The numbers are views of the index (``memoryview``: an item read is a Python ``int``). (A
    plain class: mypyc compiles no dataclass with a ``memoryview`` field.)"""

    def __init__(self, first: memoryview, weak: memoryview, reading: memoryview, text_ends: memoryview,
                 texts: bytes, kinds: tuple[str, ...], reading_kinds: memoryview, token_ends: memoryview,
                 tokens: memoryview, span_ends: memoryview, spans: memoryview, part_ends: memoryview,
                 parts: memoryview) -> None:
        self.first: Final = first  # per entity number, the number of its first name (then the next one's)
        self.weak: Final = weak  # per name, 1 for a weak alias
        self.reading: Final = reading  # per name, the number of its reading
        self.text_ends: Final = text_ends  # per name, where its text ends in ``texts`` (after a 0)
        self.texts: Final = texts  # the names' texts, UTF-8 (bytes: a slice decodes at half the cost)
        self.kinds: Final = kinds  # the kinds of name ("PER"...), by number
        self.reading_kinds: Final = reading_kinds  # per reading, its kind's number
        self.token_ends: Final = token_ends  # per reading, where its parts' numbers end in ``tokens`` (after a 0)
        self.tokens: Final = tokens  # the numbers of the readings' parts
        self.span_ends: Final = span_ends  # per reading, where its spans end in ``spans`` (after a 0)
        self.spans: Final = spans  # the readings' spans (JSON, UTF-8; most have none)
        self.part_ends: Final = part_ends  # per part, where its text ends in ``parts`` (after a 0)
        self.parts: Final = parts  # the parts' texts (``veille.kb.names.stored_token``), UTF-8

    def of(self, entity: int) -> range:
        """The numbers of an entity's names, in the order of their texts."""
        if not 0 <= entity < len(self.first) - 1:
            return range(0)
        return range(self.first[entity], self.first[entity + 1])

    def entity(self, entity: int) -> list[tuple[int, int, int]]:
        """An entity's names, in the order of their texts: (number, weak, reading) each."""
        return [(number, self.weak[number], self.reading[number]) for number in self.of(entity)]

    def text(self, name: int) -> str:
        return self.texts[self.text_ends[name]:self.text_ends[name + 1]].decode()

    def read(self, reading: int) -> tuple[str, list[int], str]:
        """A reading: its kind, the numbers of its parts, its spans ("" for none)."""
        return (self.kinds[self.reading_kinds[reading]],
                self.tokens[self.token_ends[reading]:self.token_ends[reading + 1]].tolist(),
                str(self.spans[self.span_ends[reading]:self.span_ends[reading + 1]], "utf-8"))

    def part(self, token: int) -> str:
        """The stored text of a part (``veille.kb.names.stored_token`` loads it)."""
        return str(self.parts[self.part_ends[token]:self.part_ends[token + 1]], "utf-8")


@dataclass
class Packed:
    """A packed index read into memory."""

    generation: str
    postings: np.ndarray  # int32: every posting list, then the filter lists
    entities: int  # how many there are
    size: int  # the largest entity number + 1
    filters: dict[str, tuple[int, int]]  # "@schema:Person" -> (start, n)
    names: PackedNames
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
    # (each chunk copied into the array as it is read: joined into one string first, the index
    # would be copied once more, and as many fresh pages of memory touched)
    data = np.empty(meta["bytes"], dtype=np.uint8)
    at = 0
    for (chunk,) in db.execute("SELECT data FROM kb_packed ORDER BY part"):
        if at + len(chunk) > len(data):
            return None
        data[at:at + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        at += len(chunk)
    if at != len(data):
        return None
    data.flags.writeable = False  # (shared by every search, and by forked workers)

    def section(name: str) -> np.ndarray:
        start, n, dtype = meta["sections"][name]
        values = data[start:start + n * np.dtype(dtype).itemsize].view(dtype)
        return values.astype(values.dtype.newbyteorder("="), copy=False)  # (no copy on a little-endian machine)

    def view(name: str) -> memoryview:
        return section(name).data

    names = PackedNames(view("name_first"), view("name_weak"), view("name_reading"), view("name_text_ends"),
                        section("name_texts").tobytes(), tuple(meta["kinds"]), view("reading_kinds"), view("reading_token_ends"),
                        view("reading_tokens"), view("reading_span_ends"), view("reading_spans"), view("part_ends"),
                        view("parts"))
    return Packed(meta["generation"], section("postings"), meta["entities"], meta["size"],
                  {name: (start, n) for name, (start, n) in meta["filters"].items()}, names)
