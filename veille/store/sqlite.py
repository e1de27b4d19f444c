"""The SQLite store: one file, no server, full-text search with FTS5.

* ``articles`` keeps each record as JSON (returned verbatim by ``get``) beside
  the columns listing needs. Its rowid is an explicit ``seq INTEGER PRIMARY
  KEY`` (stable across ``VACUUM``, it keys the full-text index); ``id`` is
  ``NOT NULL UNIQUE`` and is what ``entities``, ``quotes`` and ``events`` reference.
* ``articles_fts`` is an external-content FTS5 index over the view
  ``articles_search_content`` (title, text, entity names, quote texts), so no
  text is stored twice. ``put`` indexes an article in the transaction that
  inserts it; a trigger un-indexes deleted ones. Records are never updated.
* The schema is versioned: each migration runs in its own transaction and is
  recorded in ``schema_migrations``.
"""

from __future__ import annotations

import json
import re
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veille.errors import StoreError
from veille.store import base
from veille.store.base import MIN_PREFIX_LENGTH, Migration, Store

if TYPE_CHECKING:
    from veille.kb import KnowledgeBase

__all__ = ["MIGRATIONS", "SNIPPET_MARKERS", "SQLiteStore", "fts_query"]

#: what ``search`` puts around matched words in snippets; escape them before
#: printing with Rich markup (they are square brackets)
SNIPPET_MARKERS = ("[", "]")
_SNIPPET_ELLIPSIS = "…"
_SNIPPET_TOKENS = 24
_MEMORY = ":memory:"
_HINTS = (  # what to tell the user, by kind of sqlite3 error; the first that applies
    (sqlite3.IntegrityError,
     "The data breaks a database constraint (e.g. two entities with one id in a record); nothing was written."),
    (sqlite3.OperationalError, "Check that the file is writable and that no other program holds a lock on it."),
    (sqlite3.Error, "Check that the file is a Veille database, or point VEILLE_DB at another file."),
)


_SCHEMA_V1 = """
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, uri TEXT, format TEXT, language TEXT,
    title TEXT, published TEXT, text TEXT, record TEXT NOT NULL, ingested_at TEXT NOT NULL
);
CREATE INDEX articles_language ON articles(language, ingested_at);  -- also serves list(language=)
CREATE INDEX articles_ingested_at ON articles(ingested_at);

CREATE TABLE entities (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT, kb_id TEXT, mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX entities_name ON entities(name);
CREATE INDEX entities_kb_id ON entities(kb_id);

CREATE TABLE quotes (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, kind TEXT, text TEXT, speaker_id TEXT, speaker_name TEXT,
    speaker_text TEXT, cue TEXT, "start" INTEGER, "end" INTEGER,
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE failures (
    id INTEGER PRIMARY KEY, uri TEXT NOT NULL, format TEXT, code TEXT NOT NULL,
    reason TEXT NOT NULL, at TEXT NOT NULL, UNIQUE (uri, code, reason)
);

-- What the full-text index sees for each article. Entity names and quote
-- texts come in a fixed order so that un-indexing reproduces the indexed text.
CREATE VIEW articles_search_content AS
SELECT a.seq AS seq, a.title AS title, a.text AS text,
       (SELECT group_concat(name, ' ') FROM
            (SELECT e.name FROM entities e WHERE e.article_id = a.id ORDER BY e.entity_id))
           AS entity_names,
       (SELECT group_concat(text, ' ') FROM
            (SELECT q.text FROM quotes q WHERE q.article_id = a.id ORDER BY q.idx))
           AS quote_texts
FROM articles a;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, entity_names, quote_texts,
    content = 'articles_search_content', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- BEFORE, so the entities and quotes (deleted by cascade) are still there.
CREATE TRIGGER articles_fts_delete BEFORE DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text, entity_names, quote_texts)
    SELECT 'delete', seq, title, text, entity_names, quote_texts
    FROM articles_search_content WHERE seq = old.seq;
END;
"""

# Events, and who takes part in each (role: source, target, attributed_to, denied_by), so
# that an actor's events can be listed without reading records. Records stored before
# this step are filled in from their JSON.
_SCHEMA_V2 = """
CREATE TABLE events (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, type TEXT NOT NULL, mode TEXT, modality TEXT, date TEXT, date_text TEXT,
    location_id TEXT, cameo TEXT, sentence TEXT, "start" INTEGER, "end" INTEGER,
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX events_type ON events(type, date);

CREATE TABLE event_actors (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, role TEXT NOT NULL, entity_id TEXT NOT NULL,
    PRIMARY KEY (article_id, idx, role, entity_id),
    FOREIGN KEY (article_id, idx) REFERENCES events(article_id, idx) ON DELETE CASCADE
);
CREATE INDEX event_actors_entity ON event_actors(article_id, entity_id);

INSERT INTO events (article_id, idx, type, mode, modality, date, date_text, location_id, cameo, sentence,
                    "start", "end")
SELECT a.id, CAST(e.key AS INTEGER), json_extract(e.value, '$.type'), json_extract(e.value, '$.mode'),
       json_extract(e.value, '$.modality'), json_extract(e.value, '$.date'),
       json_extract(e.value, '$.date_text'), json_extract(e.value, '$.location'),
       json_extract(e.value, '$.cameo'), json_extract(e.value, '$.sentence'),
       json_extract(e.value, '$.start'), json_extract(e.value, '$.end')
FROM articles a, json_each(a.record, '$.events') e;

INSERT OR IGNORE INTO event_actors (article_id, idx, role, entity_id)
SELECT a.id, CAST(e.key AS INTEGER), r.role, p.value
FROM articles a, json_each(a.record, '$.events') e,
     (SELECT 'source' AS role UNION ALL SELECT 'target' UNION ALL SELECT 'attributed_to'
      UNION ALL SELECT 'denied_by') r,
     json_each(e.value, '$.' || r.role) p;
"""

# The knowledge base: FollowTheMoney entities (veille.kb), apart from the article tables.
# Entities are keyed by an integer ``seq`` that the name and key tables reference (a
# 20-40 character FtM id repeated in ~15 key rows per entity would double the index);
# ``id`` is the FtM id. JSON columns hold lists (datasets, topics, countries) and the FtM
# properties. ``kb_names`` keeps every name of an entity with the blocking keys it gave (a
# JSON list), so that an update removes exactly the keys it had put, a search scores first
# the names that share keys with the query, and the index can be rebuilt by SQL alone; and
# the name as read (``veille.kb.names.dump_name``), so that a search scores stored names
# without reading them again.
# ``kb_keys`` is the persisted blocking index (key -> entities, clustered by key);
# ``kb_key_counts`` the length of each posting list, so that a search takes the rarest keys
# first and caps common ones; ``kb_key_deletions`` finds the index words a typo away from a
# query word (a "symmetric delete" index: a word and its one-letter deletions).
# ``kb_schemata`` is the FtM schema hierarchy (schema -> the schemata it is a kind of),
# written by the loader, so that a search filters by schema without importing FtM.
_SCHEMA_V3 = """
CREATE TABLE kb_entities (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, schema TEXT NOT NULL, caption TEXT NOT NULL,
    datasets TEXT NOT NULL DEFAULT '[]', topics TEXT NOT NULL DEFAULT '[]',
    countries TEXT NOT NULL DEFAULT '[]', qid TEXT, properties TEXT NOT NULL DEFAULT '{}',
    first_seen TEXT, last_seen TEXT
);
CREATE INDEX kb_entities_qid ON kb_entities(qid) WHERE qid IS NOT NULL;

CREATE TABLE kb_names (
    entity INTEGER NOT NULL, name TEXT NOT NULL, weak INTEGER NOT NULL DEFAULT 0, keys TEXT NOT NULL,
    parsed TEXT NOT NULL DEFAULT '', PRIMARY KEY (entity, name)
) WITHOUT ROWID;

-- the symbols rigour gave the parts of stored person names ("sergei" -> ["NAME:Q…"]): a query
-- is read without rigour's person tagger (seconds to build) and takes its parts' symbols here
CREATE TABLE kb_vocabulary (form TEXT PRIMARY KEY, symbols TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE kb_keys (
    key TEXT NOT NULL, entity INTEGER NOT NULL, PRIMARY KEY (key, entity)
) WITHOUT ROWID;

CREATE TABLE kb_key_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
-- keys by their first three letters and length: words two typos away from a long query word
CREATE INDEX kb_key_counts_head ON kb_key_counts(substr(key, 1, 3), length(key));

-- every word of the index (a key of 4 to 24 letters a-z, 0-9) with one letter deleted, at
-- each position: a word one typo away from a query word shares one of these with it
CREATE TABLE kb_key_deletions (
    variant TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (variant, key)
) WITHOUT ROWID;

CREATE TABLE kb_schemata (schema TEXT PRIMARY KEY, ancestors TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE kb_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

# The blocking index packed for searching (``veille.kb.packed``): each key's posting list is a
# slice (``start``, ``n``) of one array of entity numbers, stored in chunks in ``kb_packed``.
_SCHEMA_V4 = """
ALTER TABLE kb_key_counts ADD COLUMN start INTEGER;
CREATE TABLE kb_packed (part INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""

#: every schema step this version of Veille knows, oldest first
MIGRATIONS: tuple[Migration, ...] = (Migration(1, "initial schema", _SCHEMA_V1),
                                     Migration(2, "events and their actors", _SCHEMA_V2),
                                     Migration(3, "knowledge base of FollowTheMoney entities", _SCHEMA_V3),
                                     Migration(4, "knowledge-base index packed for searching", _SCHEMA_V4))

_BOOTSTRAP = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""

_INSERT_ARTICLE = """INSERT INTO articles
    (id, uri, format, language, title, published, text, record, ingested_at)
    VALUES (:id, :uri, :format, :language, :title, :published, :text, :record, :ingested_at)
    ON CONFLICT (id) DO NOTHING"""
_INSERT_ENTITY = """INSERT INTO entities (article_id, entity_id, name, type, kb_id, mentions)
    VALUES (:article_id, :entity_id, :name, :type, :kb_id, :mentions)"""
_INSERT_QUOTE = """INSERT INTO quotes (article_id, idx, kind, text, speaker_id, speaker_name,
    speaker_text, cue, "start", "end") VALUES (:article_id, :idx, :kind, :text, :speaker_id,
    :speaker_name, :speaker_text, :cue, :start, :end)"""
_INSERT_EVENT = """INSERT INTO events (article_id, idx, type, mode, modality, date, date_text, location_id,
    cameo, sentence, "start", "end") VALUES (:article_id, :idx, :type, :mode, :modality, :date, :date_text,
    :location_id, :cameo, :sentence, :start, :end)"""
_INSERT_EVENT_ACTOR = """INSERT OR IGNORE INTO event_actors (article_id, idx, role, entity_id)
    VALUES (:article_id, :idx, :role, :entity_id)"""
_INSERT_FAILURE = """INSERT INTO failures (uri, format, code, reason, at)
    VALUES (:uri, :format, :code, :reason, :at) ON CONFLICT (uri, code, reason) DO NOTHING"""
_INDEX_ARTICLE = """INSERT INTO articles_fts (rowid, title, text, entity_names, quote_texts)
    SELECT seq, title, text, entity_names, quote_texts FROM articles_search_content WHERE seq = ?"""

_SUMMARY_COLUMNS = """a.id, a.title, a.language, a.published, a.uri,
    (SELECT count(*) FROM entities e WHERE e.article_id = a.id) AS entities,
    (SELECT count(*) FROM quotes q WHERE q.article_id = a.id) AS quotes,
    (SELECT count(*) FROM events v WHERE v.article_id = a.id) AS events,
    a.ingested_at"""
_LIST_ALL = f"""SELECT {_SUMMARY_COLUMNS} FROM articles a
    ORDER BY a.ingested_at DESC, a.seq DESC LIMIT ? OFFSET ?"""
_LIST_LANGUAGE = f"""SELECT {_SUMMARY_COLUMNS} FROM articles a WHERE a.language = ?
    ORDER BY a.ingested_at DESC, a.seq DESC LIMIT ? OFFSET ?"""
# bm25 weights, one per indexed column: a hit in the title counts most.
_SEARCH = f"""SELECT {_SUMMARY_COLUMNS},
    snippet(articles_fts, 1, :open, :close, :ellipsis, :tokens) AS snippet
    FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid
    WHERE articles_fts MATCH :match
    ORDER BY bm25(articles_fts, 4.0, 1.0, 2.0, 2.0), a.seq DESC LIMIT :limit"""

# A double-quoted phrase, or a run of anything else but spaces and quotes;
# a quote without its pair matches neither and is dropped.
_QUERY_TERM = re.compile(r'"([^"]*)"|([^\s"]+)')


def fts_query(text: str) -> str | None:
    """Turn what a user typed into an FTS5 query that cannot be a syntax error.

    Every term is double-quoted, so FTS5 operators and punctuation
    (``Jong-un``, ``l'armée``, ``NEAR(``) are plain text; ``"a phrase"`` stays
    a phrase; a trailing ``*`` asks for a prefix. All terms must match.
    Returns ``None`` when nothing searchable is left.
    """
    terms = []
    for phrase, word in _QUERY_TERM.findall(text):
        if phrase.strip():
            terms.append(_quoted(phrase))
        elif word.rstrip("*"):
            star = "*" if word.endswith("*") else ""
            terms.append(_quoted(word.rstrip("*")) + star)
    return " ".join(terms) or None


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _statements(script: str) -> Iterator[str]:
    """Split an SQL script into statements (semicolons inside triggers,
    strings and comments are handled by ``sqlite3.complete_statement``)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip() != ";":
                yield pending.strip()
            pending = ""
    if pending.rstrip(";").strip():
        yield pending.rstrip(";")  # incomplete: let SQLite report the error


class SQLiteStore(Store):
    """A :class:`Store` in one SQLite file (or ``":memory:"``).

    Opening applies any missing migrations. WAL mode lets readers work while
    a batch writes. One connection per object; not for concurrent use from
    several threads.
    """

    #: the schema steps this class applies; subclasses (tests) may extend it
    migrations: tuple[Migration, ...] = MIGRATIONS

    def __init__(self, path: str | Path) -> None:
        self.location = _MEMORY if str(path) == _MEMORY else str(Path(path).expanduser())
        self._conn: sqlite3.Connection | None = None
        self._knowledge_bases: weakref.WeakSet[KnowledgeBase] = weakref.WeakSet()  # (closed with the store)
        if self.location != _MEMORY:
            try:
                Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"Cannot create the folder for the database {self.location}: {exc}.") from exc
        with self._errors("open the database"):
            conn = sqlite3.connect(self.location, isolation_level=None, check_same_thread=False)
        try:
            with self._errors("open the database"):
                self._configure(conn)
            self._conn = conn
            self._version = self._migrate()
        except BaseException:
            self._conn = None
            conn.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteStore({self.location!r})"

    # -- plumbing ---------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"The store {self.location} is closed; open it again with open_store().")
        return self._conn

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn any sqlite3 error raised inside into a StoreError saying what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            hint = next(text for kind, text in _HINTS if isinstance(exc, kind))
            raise StoreError(f"Cannot {action} in {self.location}: {exc}. {hint}") from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction; roll back if it raises."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self) -> int:
        """Apply the migrations this database lacks; return its version."""
        known = max(m.version for m in self.migrations)
        with self._errors("read the schema version"):
            self._db.execute(_BOOTSTRAP)
            applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        newest = max(applied, default=0)
        if newest > known:
            raise base.newer_schema(self.location, newest, known)
        for migration in sorted(self.migrations):
            if migration.version not in applied:
                self._apply(migration)
        return max(known, newest)

    def _apply(self, migration: Migration) -> None:
        with self._errors(f"apply migration {migration.version} ({migration.name})"), self._transaction() as db:
            done = db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,))
            if done.fetchone() is not None:
                return  # another process applied it while we waited for the lock
            for statement in _statements(migration.sql):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, base.utc_now()),
            )

    # -- the Store interface ----------------------------------------------

    @property
    def schema_version(self) -> int:
        return self._version

    def put(self, record: dict[str, Any]) -> bool:
        rows = base.record_rows(record)
        with self._errors(f"store article {rows.article['id']}"), self._transaction() as db:
            inserted = db.execute(_INSERT_ARTICLE, rows.article)
            if inserted.rowcount == 0:
                return False
            db.executemany(_INSERT_ENTITY, rows.entities)
            db.executemany(_INSERT_QUOTE, rows.quotes)
            db.executemany(_INSERT_EVENT, rows.events)
            db.executemany(_INSERT_EVENT_ACTOR, rows.event_actors)
            db.execute(_INDEX_ARTICLE, (inserted.lastrowid,))
        return True

    def put_failure(self, failure: dict[str, Any]) -> None:
        row = base.failure_row(failure)
        with self._errors(f"record the failure of {row['uri']}"), self._transaction() as db:
            db.execute(_INSERT_FAILURE, row)

    def get(self, article_id: str) -> dict[str, Any]:
        with self._errors(f"read article {article_id}"):
            rows = self._lookup(article_id)
        if not rows:
            raise base.record_not_found(article_id, self.location)
        if len(rows) > 1:
            raise base.ambiguous_prefix(article_id, [row["id"] for row in rows])
        try:
            return json.loads(rows[0]["record"])
        except json.JSONDecodeError as exc:
            raise StoreError(f"The stored record of {rows[0]['id']} is not valid JSON: {exc}.") from exc

    def _lookup(self, key: str) -> list[sqlite3.Row]:
        """Rows whose id is ``key``, else (for long enough keys) up to two
        whose id starts with it, found by an index range scan."""
        db = self._db
        rows = db.execute("SELECT id, record FROM articles WHERE id = ?", (key,)).fetchall()
        if rows or len(key) < MIN_PREFIX_LENGTH:
            return rows
        # Exactly the strings that start with key sort in [key, key + U+10FFFF).
        return db.execute(
            "SELECT id, record FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (key, key + "\U0010ffff"),
        ).fetchall()

    def list(self, limit: int = 50, offset: int = 0, language: str | None = None) -> list[dict[str, Any]]:
        base.check_window(limit, offset)
        with self._errors("list articles"):
            if language is None:
                rows = self._db.execute(_LIST_ALL, (limit, offset))
            else:
                rows = self._db.execute(_LIST_LANGUAGE, (language, limit, offset))
            return [dict(row) for row in rows]

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        base.check_window(limit, 0)
        match = fts_query(query)
        if match is None:
            return []
        params = {"open": SNIPPET_MARKERS[0], "close": SNIPPET_MARKERS[1], "ellipsis": _SNIPPET_ELLIPSIS,
                  "tokens": _SNIPPET_TOKENS, "match": match, "limit": limit}
        with self._errors(f"search for {query!r}"):
            return [dict(row) for row in self._db.execute(_SEARCH, params)]

    def failures(self, limit: int = 100) -> list[dict[str, Any]]:
        base.check_window(limit, 0)
        with self._errors("list failures"):
            rows = self._db.execute(
                "SELECT id, uri, format, code, reason, at FROM failures ORDER BY at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [base.failure_dict(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._errors("count records"):
            row = self._db.execute(
                """SELECT (SELECT count(*) FROM articles) AS articles,
                          (SELECT count(*) FROM entities) AS entities,
                          (SELECT count(*) FROM quotes) AS quotes,
                          (SELECT count(*) FROM events) AS events,
                          (SELECT count(*) FROM failures) AS failures"""
            ).fetchone()
        return dict(row)

    def knowledge_base(self) -> KnowledgeBase:
        """The knowledge base of FollowTheMoney entities kept in this database (``veille.kb``)."""
        from veille.kb import KnowledgeBase  # not needed by the article commands

        kb = KnowledgeBase(self)
        self._knowledge_bases.add(kb)
        return kb

    def close(self) -> None:
        for kb in list(self._knowledge_bases):
            kb.close()  # (the worker processes its searches keep)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with self._errors("close the database"):
                conn.close()

