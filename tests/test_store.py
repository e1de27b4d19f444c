"""The SQLite store, on real database files."""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from veille.errors import RecordNotFound, StoreError
from veille.store import default_db_path, open_store
from veille.store.base import Migration
from veille.store.sqlite import MIGRATIONS, SQLiteStore, fts_query

FR_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
FR2_ID = "a1b2c3ffff000000000000000000000a"  # shares the prefix "a1b2c3" with FR_ID
EN_ID = "f00ba7c0ffee11223344556677889900"
FR_TEXT = (
    "Vladimir Poutine est arrivé mercredi à Pyongyang, en Corée du Nord. "
    "Kim Jong-un a salué « un ami fidèle », promettant son soutien à l'armée russe."
)


def _french_record() -> dict:
    return {
        "id": FR_ID, "source": {"uri": "file:///corpus/poutine.html", "format": "html"},
        "language": "fr", "title": "Le Russe Poutine en Corée du Nord", "authors": ["Milos Schmidt"],
        "published": "2024-06-19", "text": FR_TEXT,
        "captions": ["Le président russe Vladimir Poutine et Kim Jong-un"],
        "removed": [{"kind": "comment_form", "text": "Laisser un commentaire"}],
        "warnings": [],
        "entities": [
            {"id": "e1", "name": "Vladimir Putin", "type": "PER", "kb_id": "Q7747",
             "mentions": [{"text": "Vladimir Poutine", "start": 0, "end": 16}],
             "screening": [{"list": "sanctions", "entity_id": "x-1", "name": "PUTIN, Vladimir",
                            "score": 0.97, "topics": ["sanction"]}]},
            {"id": "e2", "name": "Kim Jong Un", "type": "PER", "kb_id": "Q56226",
             "mentions": [{"text": "Kim Jong-un", "start": 68, "end": 79}]},
            {"id": "e3", "name": "North Korea", "type": "GPE", "kb_id": "Q423",
             "mentions": [{"text": "Corée du Nord", "start": 53, "end": 66}]},
            {"id": "e4", "name": "Pyongyang", "type": "GPE", "kb_id": None,
             "mentions": [{"text": "Pyongyang", "start": 39, "end": 48}]},
        ],
        "quotes": [
            {"kind": "direct", "text": "un ami fidèle", "start": 90, "end": 103,
             "speaker": "e2", "speaker_text": "Kim Jong-un", "cue": "a salué"},
            {"kind": "indirect", "text": "son soutien à l'armée russe", "start": 118, "end": 145,
             "speaker": None, "speaker_text": None, "cue": "promettant"},
        ],
        "events": [
            {"type": "CONSULT", "mode": None, "source": ["e1"], "target": ["e2"], "location": "e4",
             "date": "2024-06-19", "date_text": "mercredi", "modality": "asserted",
             "attributed_to": [], "sentence": FR_TEXT[:67], "start": 0, "end": 67},
        ],
    }


def _english_record() -> dict:
    text = "Ursula von der Leyen said the bloc would adopt new sanctions on Moscow next week."
    return {
        "id": EN_ID, "source": {"uri": "https://example.org/eu-sanctions", "format": "html"},
        "language": "en", "title": "EU readies new sanctions", "authors": [], "published": None,
        "text": text, "captions": [], "removed": [], "warnings": [],
        "entities": [
            {"id": "e1", "name": "Ursula von der Leyen", "type": "PER", "kb_id": "Q60772",
             "mentions": [{"text": "Ursula von der Leyen", "start": 0, "end": 20}]},
            {"id": "e2", "name": "Moscow", "type": "GPE", "kb_id": "Q649",
             "mentions": [{"text": "Moscow", "start": 64, "end": 70}]},
        ],
        "quotes": [{"kind": "indirect", "text": text[26:80], "start": 26, "end": 80, "speaker": "e1",
                    "speaker_text": "Ursula von der Leyen", "cue": "said"}],
        "events": [],
    }


def _second_french_record() -> dict:
    record = copy.deepcopy(_french_record())
    record.update(id=FR2_ID, title="Séoul s'inquiète", quotes=[], events=[],
                  text="Séoul a convoqué l'ambassadeur après la visite à Pyongyang.",
                  entities=[{"id": "e1", "name": "Seoul", "type": "GPE", "kb_id": "Q8684",
                             "mentions": [{"text": "Séoul", "start": 0, "end": 5}]}])
    return record


FAILURE = {"source": {"uri": "file:///corpus/scan.pdf", "format": "text"},
           "reason": "scan.pdf looks like a PDF, not text", "code": "binary"}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "veille.db"


@pytest.fixture
def store(db_path: Path):
    with open_store(db_path) as opened:
        yield opened


@pytest.fixture
def filled(store):
    for record in (_french_record(), _english_record(), _second_french_record()):
        assert store.put(record) is True
    return store


def _raw(path: Path):
    """A plain sqlite3 connection, closed on exit (the store is not involved)."""
    return contextlib.closing(sqlite3.connect(path))


def _applied_migrations(path: Path) -> list[tuple]:
    with _raw(path) as conn:
        return conn.execute("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").fetchall()


def test_put_is_idempotent_and_round_trips(store, db_path):
    record = _french_record()
    assert store.put(record) is True
    counts = store.counts()
    assert counts == {"articles": 1, "entities": 4, "quotes": 2, "events": 1, "failures": 0}
    ingested = store.list()[0]["ingested_at"]
    assert store.put(copy.deepcopy(record)) is False
    assert store.counts() == counts
    assert store.list()[0]["ingested_at"] == ingested
    assert store.get(record["id"]) == record


def test_derived_rows_follow_the_record(filled, db_path):
    with _raw(db_path) as conn:
        (stored,) = conn.execute("SELECT record FROM articles WHERE id = ?", (FR_ID,)).fetchone()
        entity = conn.execute(
            "SELECT name, type, kb_id, mentions FROM entities WHERE article_id = ? AND entity_id = 'e1'", (FR_ID,)
        ).fetchone()
        quotes = conn.execute(
            'SELECT idx, speaker_id, speaker_name, cue, "start", "end" FROM quotes WHERE article_id = ? '
            "ORDER BY idx", (FR_ID,)
        ).fetchall()
    assert "Corée" in stored  # readable UTF-8, not \\u escapes
    assert entity == ("Vladimir Putin", "PER", "Q7747", 1)
    assert quotes == [(0, "e2", "Kim Jong Un", "a salué", 90, 103),
                      (1, None, None, "promettant", 118, 145)]


def test_get_by_prefix(filled):
    assert filled.get("f00ba7c")["title"] == "EU readies new sanctions"
    assert filled.get("a1b2c3d4")["id"] == FR_ID
    with pytest.raises(StoreError, match="several articles") as caught:
        filled.get("a1b2c3")
    assert not isinstance(caught.value, RecordNotFound)


@pytest.mark.parametrize("key", ["deadbeef", "f00b", "a1b2c3%", ""])
def test_unknown_id_is_record_not_found(filled, key):
    with pytest.raises(RecordNotFound, match="veille list"):
        filled.get(key)


def test_invalid_records_are_refused(store):
    with pytest.raises(StoreError, match="'id'"):
        store.put({"title": "no id"})
    broken = _french_record()
    del broken["entities"][0]["name"]
    with pytest.raises(StoreError, match="SPEC.md"):
        store.put(broken)
    with pytest.raises(StoreError, match="JSON"):
        store.put({**_english_record(), "score": float("nan")})
    assert store.counts()["articles"] == 0


def test_a_failed_put_leaves_nothing_behind(store):
    record = _french_record()
    record["entities"].append(dict(record["entities"][0]))  # duplicate entity id "e1"
    with pytest.raises(StoreError, match="constraint"):
        store.put(record)
    assert store.counts() == {"articles": 0, "entities": 0, "quotes": 0, "events": 0, "failures": 0}
    assert store.put(_french_record()) is True


def test_list_is_newest_first_with_summaries(filled):
    summaries = filled.list()
    assert [s["id"] for s in summaries] == [FR2_ID, EN_ID, FR_ID]
    assert summaries[2] == {
        "id": FR_ID, "title": "Le Russe Poutine en Corée du Nord", "language": "fr",
        "published": "2024-06-19", "uri": "file:///corpus/poutine.html", "entities": 4, "quotes": 2, "events": 1,
        "ingested_at": summaries[2]["ingested_at"],
    }
    assert summaries[2]["ingested_at"].endswith("+00:00")


def test_list_filters_by_language_and_pages(filled):
    assert [s["language"] for s in filled.list(language="fr")] == ["fr", "fr"]
    assert [s["id"] for s in filled.list(language="en")] == [EN_ID]
    assert filled.list(language="de") == []
    assert [s["id"] for s in filled.list(limit=1, offset=1)] == [EN_ID]


def _ids(results: list[dict]) -> list[str]:
    return [r["id"] for r in results]


def test_search_ignores_accents_and_covers_entities_and_quotes(filled):
    results = filled.search("Coree")
    assert _ids(results) == [FR_ID]
    assert "[Corée]" in results[0]["snippet"]
    assert results[0]["entities"] == 4
    assert _ids(filled.search("Putin")) == [FR_ID]  # canonical name, not in the text
    assert _ids(filled.search("Seoul")) == [FR2_ID]
    assert _ids(filled.search("fidele")) == [FR_ID]


def test_search_phrases(filled):
    assert _ids(filled.search('"Corée du Nord"')) == [FR_ID]
    assert filled.search('"Nord du Corée"') == []
    assert _ids(filled.search('"new sanctions" Moscow')) == [EN_ID]
    assert set(_ids(filled.search("Pyongyang"))) == {FR_ID, FR2_ID}


def test_search_ranks_title_hits_first(store):
    text = "Officials in Brussels talked about Kyiv, energy and the budget."
    store.put({**_english_record(), "id": "1" * 32, "title": "Brussels briefing", "text": text})
    store.put({**_english_record(), "id": "2" * 32, "title": "Kyiv asks for air defence", "text": text})
    assert _ids(store.search("kyiv")) == ["2" * 32, "1" * 32]


@pytest.mark.parametrize(("query", "expected"), [
    ("Kim Jong-un", [FR_ID]), ("l'armée", [FR_ID]), ('"Corée du Nord', [FR_ID]), ('Corée"', [FR_ID]),
    ("Pout*", [FR_ID]), ("^Kim", [FR_ID]), ("'", []), ('""', []), ("NEAR(", []), ("AND", []),
    ("OR NOT", []), ("title:Poutine", []), ("*", []), ("(", []), ("  ", []), ("x -y +z", []),
])
def test_search_takes_any_user_input(filled, query, expected):
    assert _ids(filled.search(query)) == expected


def test_fts_query_quotes_every_term():
    assert fts_query('Kim Jong-un "Corée du Nord" l\'armée Pout* "x') == (
        '"Kim" "Jong-un" "Corée du Nord" "l\'armée" "Pout"* "x"')
    assert fts_query('" "') is None


def test_full_text_index_stays_consistent(filled, db_path):
    filled.put(_french_record())  # a repeated put must not index twice
    with _raw(db_path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM articles WHERE id = ?", (EN_ID,))
        conn.commit()
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
        assert conn.execute("SELECT count(*) FROM quotes").fetchone() == (2,)
    assert filled.search("sanctions") == []


def test_failures_are_idempotent(store):
    store.put_failure(FAILURE)
    store.put_failure(copy.deepcopy(FAILURE))
    store.put_failure({**FAILURE, "reason": "another reason"})
    failures = store.failures()
    assert len(failures) == 2 == store.counts()["failures"]
    assert {f["reason"] for f in failures} == {FAILURE["reason"], "another reason"}
    assert set(failures[0]) == {"id", "uri", "format", "code", "reason", "at"}
    assert (failures[0]["uri"], failures[0]["format"], failures[0]["code"]) == (
        "file:///corpus/scan.pdf", "text", "binary")
    assert store.failures(limit=1) == failures[:1]
    with pytest.raises(StoreError, match="source.uri"):
        store.put_failure({"reason": "x", "code": "y"})


def test_reopening_keeps_data_and_does_not_rerun_migrations(db_path):
    with open_store(db_path) as store:
        store.put(_french_record())
        store.put_failure(FAILURE)
        assert store.schema_version == MIGRATIONS[-1].version
    before = _applied_migrations(db_path)
    with open_store(db_path) as store:
        assert store.counts() == {"articles": 1, "entities": 4, "quotes": 2, "events": 1, "failures": 1}
        assert store.get(FR_ID) == _french_record()
    assert _applied_migrations(db_path) == before
    assert [version for version, _, _ in before] == [m.version for m in MIGRATIONS]


def _event_rows(path: Path) -> list[tuple]:
    with _raw(path) as conn:
        events = conn.execute('SELECT article_id, idx, type, modality, date, location_id, "start", "end" '
                              "FROM events ORDER BY article_id, idx").fetchall()
        actors = conn.execute("SELECT idx, role, entity_id FROM event_actors ORDER BY idx, role").fetchall()
    return events + actors


def test_events_and_their_actors_have_tables(store, db_path):
    store.put(_french_record())
    assert _event_rows(db_path) == [(FR_ID, 0, "CONSULT", "asserted", "2024-06-19", "e4", 0, 67),
                                    (0, "source", "e1"), (0, "target", "e2")]


class _StoreBeforeEvents(SQLiteStore):
    migrations = MIGRATIONS[:1]


def test_the_events_migration_fills_in_records_stored_before_it(db_path):
    with _StoreBeforeEvents(db_path) as old:
        assert old.schema_version == 1
    with _raw(db_path) as conn, conn:  # a record as Veille 0.1 stored it: in the articles table only
        conn.execute("INSERT INTO articles (id, record, ingested_at) VALUES (?, ?, '2024-06-20T00:00:00+00:00')",
                     (FR_ID, json.dumps(_french_record())))
    with open_store(db_path) as store:
        assert store.schema_version == MIGRATIONS[-1].version
        assert store.counts()["events"] == 1
    assert _event_rows(db_path) == [(FR_ID, 0, "CONSULT", "asserted", "2024-06-19", "e4", 0, 67),
                                    (0, "source", "e1"), (0, "target", "e2")]


class _StoreWithTags(SQLiteStore):
    migrations = (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "add tags", """
        CREATE TABLE tags (article_id TEXT NOT NULL REFERENCES articles(id), tag TEXT NOT NULL);
        CREATE INDEX tags_tag ON tags(tag);
    """))


def test_opening_applies_only_missing_migrations(db_path):
    with open_store(db_path) as store:
        store.put(_french_record())
    with _StoreWithTags(db_path) as store:
        assert store.schema_version == MIGRATIONS[-1].version + 1
        assert store.counts()["articles"] == 1
    versions = [version for version, _, _ in _applied_migrations(db_path)]
    assert versions == [m.version for m in _StoreWithTags.migrations]


class _StoreWithBrokenMigration(SQLiteStore):
    migrations = (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "broken", """
        CREATE TABLE half_done (x INTEGER);
        CREATE TABLE oops (;
    """))


def test_a_failing_migration_is_rolled_back(db_path):
    open_store(db_path).close()
    with pytest.raises(StoreError, match="broken"):
        _StoreWithBrokenMigration(db_path)
    assert len(_applied_migrations(db_path)) == len(MIGRATIONS)
    with _raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone() == (0,)


def test_a_newer_schema_is_refused(db_path):
    open_store(db_path).close()
    with _raw(db_path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', '2099-01-01T00:00:00+00:00')")
        conn.commit()
    with pytest.raises(StoreError, match="[Uu]pgrade Veille"):
        open_store(db_path)


def test_wal_mode_and_pragmas(store, db_path):
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    with _raw(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent


def test_not_a_database_is_a_store_error(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not SQLite, just a text file that is long enough to have a header\n" * 20)
    with pytest.raises(StoreError, match="notes.db"):
        open_store(bogus)


def test_in_memory_store_and_closing():
    with open_store(":memory:") as store:
        assert store.put(_english_record()) is True
        assert store.search("Leyen")[0]["id"] == EN_ID
    store.close()  # closing twice is fine
    with pytest.raises(StoreError, match="closed"):
        store.counts()


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://veille@localhost/veille", "PostgreSQL is not supported yet"),
    ("postgres://db/x", "PostgreSQL is not supported yet"),
    ("postgresql+psycopg://db/x", "PostgreSQL is not supported yet"),
    ("mysql://db/x", "cannot use a mysql:// database"),
])
def test_database_urls_are_refused(tmp_path, monkeypatch, url, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message):
        open_store(url)
    assert list(tmp_path.iterdir()) == []  # no stray file named like the URL


def test_veille_db_env_var_is_honoured(tmp_path, monkeypatch):
    target = tmp_path / "nested" / "dir" / "from-env.db"
    monkeypatch.setenv("VEILLE_DB", str(target))
    with open_store() as store:
        store.put(_english_record())
    with open_store(target) as store:
        assert store.counts()["articles"] == 1
    monkeypatch.setenv("VEILLE_DB", "postgresql://db/veille")
    with pytest.raises(StoreError, match="PostgreSQL"):
        open_store()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME is how Linux picks the folder")
def test_default_path_is_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("VEILLE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "veille" / "veille.db"
    assert not default_db_path().parent.exists()
    with open_store() as store:
        assert store.counts()["articles"] == 0
    assert default_db_path().is_file()
