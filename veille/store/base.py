"""The interface every Veille store implements.

The pipeline, the CLI and the HTTP API talk to a ``Store`` and never to a
database driver, so a PostgreSQL store can be added later without touching
them. A store keeps three things:

* analysis records (the JSON objects described in ``SPEC.md``), one per
  article, keyed by the record's ``id``;
* failures: documents that could not be analysed, with the reason;
* enough derived data (entities, quotes, events with their actors, a full-text index) to list and
  search the records without loading them all.

Shapes returned by the read methods:

summary
    ``{"id", "title", "language", "published", "uri", "entities": n,
    "quotes": n, "events": n, "ingested_at"}``; ``ingested_at`` is an ISO 8601 timestamp
    in UTC. Search results add ``"snippet"``.
failure
    ``{"id": n, "uri", "format", "code", "reason", "at"}``: flat like a
    summary (``put_failure`` takes the source nested, as the pipeline gives it);
    ``at`` is when it was first recorded.

Every method raises :class:`veille.errors.StoreError` (or its subclass
:class:`~veille.errors.RecordNotFound`) when the database cannot do what was
asked; driver exceptions never leak out. A negative ``limit`` or ``offset``
is a caller bug and raises ``ValueError``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NamedTuple

from veille.errors import RecordNotFound, StoreError

__all__ = [
    "MIN_PREFIX_LENGTH",
    "Migration",
    "RecordRows",
    "Store",
    "ambiguous_prefix",
    "check_window",
    "failure_dict",
    "failure_row",
    "newer_schema",
    "record_not_found",
    "record_rows",
    "utc_now",
]

#: the roles an actor can have in an event of a record
EVENT_ROLES = ("source", "target", "attributed_to", "denied_by")

#: shortest id prefix :meth:`Store.get` accepts in place of a full id
MIN_PREFIX_LENGTH = 6


class Store(ABC):
    """Where analysis records and failures are kept.

    Use it as a context manager, or call :meth:`close` when done::

        with open_store() as store:
            store.put(record)
    """

    @property
    @abstractmethod
    def schema_version(self) -> int:
        """The version of the schema the database is at."""

    @abstractmethod
    def put(self, record: dict[str, Any]) -> bool:
        """Store one analysis record, in a single transaction.

        Idempotent on ``record["id"]``: returns ``True`` if the record was
        new, ``False`` if a record with that id was already stored, in which
        case nothing changes, not even timestamps.
        """

    @abstractmethod
    def put_failure(self, failure: dict[str, Any]) -> None:
        """Record a document that could not be analysed.

        ``failure`` is ``{"source": {"uri", "format"}, "reason", "code"}``.
        Idempotent on ``(uri, code, reason)``: the same failure recorded
        twice is kept once, with the time it was first seen.
        """

    @abstractmethod
    def get(self, article_id: str) -> dict[str, Any]:
        """Return the full record, exactly as it was put.

        ``article_id`` may be a unique prefix of at least
        :data:`MIN_PREFIX_LENGTH` characters. Raises ``RecordNotFound`` when
        no record matches and ``StoreError`` when a prefix is ambiguous.
        """

    @abstractmethod
    def list(self, limit: int = 50, offset: int = 0, language: str | None = None) -> list[dict[str, Any]]:
        """Return summaries, newest ingested first, optionally of one language."""

    @abstractmethod
    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over titles, texts, entity names and quotes.

        Every term must match; ``"double-quoted words"`` match as a phrase;
        accents and case are ignored. Returns summaries with a ``"snippet"``
        of the text around the matches, best match first. Any user input is
        accepted: a query never raises a syntax error.
        """

    @abstractmethod
    def failures(self, limit: int = 100) -> list[dict[str, Any]]:
        """Return recorded failures, most recent first."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Return ``{"articles": n, "entities": n, "quotes": n, "events": n, "failures": n}``."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection. Safe to call more than once."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


# -- shared by every backend ------------------------------------------------
# Every store keeps the same tables (articles, entities, quotes, events, event_actors, failures), so
# mapping records onto rows, validating input and wording errors live here.


class Migration(NamedTuple):
    """One step of a store's schema: applied once, in order, in a transaction."""

    version: int
    name: str
    sql: str


class RecordRows(NamedTuple):
    """The rows one analysis record becomes; each row is a dict of column values."""

    article: dict[str, Any]
    entities: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    events: list[dict[str, Any]]
    #: one row per actor of an event and role (source, target, attributed_to, denied_by)
    event_actors: list[dict[str, Any]]


def utc_now() -> str:
    """The current time as an ISO 8601 timestamp in UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_window(limit: int, offset: int = 0) -> None:
    """Refuse negative page bounds (a caller bug, not a user error)."""
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0, got limit={limit}, offset={offset}")


def record_rows(record: Mapping[str, Any]) -> RecordRows:
    """Validate an analysis record and map it onto rows.

    ``article["record"]`` is the record as JSON (UTF-8 text, not ASCII
    escapes). An entity row counts its mentions; a quote row carries its
    position in the record (``idx``) and the canonical name of its speaker.
    Raises StoreError when the record is not a JSON object in the shape of
    SPEC.md with a non-empty string ``id``.
    """
    article_id = record.get("id") if isinstance(record, Mapping) else None
    if not isinstance(article_id, str) or not article_id:
        raise StoreError("An analysis record must be a JSON object with a non-empty string 'id'.")
    try:
        payload = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"Record {article_id} cannot be stored as JSON: {exc}.") from exc
    try:
        source = record.get("source") or {}
        article = {
            "id": article_id, "uri": source.get("uri"), "format": source.get("format"),
            "language": record.get("language"), "title": record.get("title"),
            "published": record.get("published"), "text": record.get("text"),
            "record": payload, "ingested_at": utc_now(),
        }
        entities = record.get("entities") or []
        names = {entity["id"]: entity["name"] for entity in entities}
        entity_rows = [
            {"article_id": article_id, "entity_id": entity["id"], "name": entity["name"],
             "type": entity.get("type"), "kb_id": entity.get("kb_id"),
             "mentions": len(entity.get("mentions") or [])}
            for entity in entities
        ]
        quote_rows = [
            {"article_id": article_id, "idx": idx, "kind": quote.get("kind"), "text": quote.get("text"),
             "speaker_id": quote.get("speaker"), "speaker_name": names.get(quote.get("speaker")),
             "speaker_text": quote.get("speaker_text"), "cue": quote.get("cue"),
             "start": quote.get("start"), "end": quote.get("end")}
            for idx, quote in enumerate(record.get("quotes") or [])
        ]
        event_rows, actor_rows = [], []
        for idx, event in enumerate(record.get("events") or []):
            event_rows.append({
                "article_id": article_id, "idx": idx, "type": event["type"], "mode": event.get("mode"),
                "modality": event.get("modality"), "date": event.get("date"), "date_text": event.get("date_text"),
                "location_id": event.get("location"), "cameo": event.get("cameo"),
                "sentence": event.get("sentence"), "start": event.get("start"), "end": event.get("end")})
            for role in EVENT_ROLES:
                actor_rows += [{"article_id": article_id, "idx": idx, "role": role, "entity_id": entity_id}
                               for entity_id in event.get(role) or []]
    except (KeyError, TypeError, AttributeError) as exc:
        raise StoreError(
            f"Record {article_id} does not follow the analysis record format (SPEC.md): "
            f"bad or missing field {exc!r}."
        ) from exc
    return RecordRows(article, entity_rows, quote_rows, event_rows, actor_rows)


def failure_row(failure: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a failure and map it onto a ``failures`` row (``at`` is now)."""
    try:
        source = failure["source"]
        return {"uri": source["uri"], "format": source.get("format"), "code": failure["code"],
                "reason": failure["reason"], "at": utc_now()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"A failure needs source.uri, code and reason; got {failure!r} ({exc!r}).") from exc


def failure_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``failures`` row in the shape :meth:`Store.failures` returns."""
    return {key: row[key] for key in ("id", "uri", "format", "code", "reason", "at")}


def record_not_found(article_id: str, location: str) -> RecordNotFound:
    """The error for an id (or prefix) that matches no stored article."""
    hint = "" if len(article_id) >= MIN_PREFIX_LENGTH else (
        f" (a shortened id needs at least {MIN_PREFIX_LENGTH} characters)")
    return RecordNotFound(
        f"No article with id {article_id!r} in {location}{hint}. Run `veille list` to see the stored ids.")


def ambiguous_prefix(prefix: str, ids: list[str]) -> StoreError:
    """The error for an id prefix shared by several articles (``ids``: some of them)."""
    return StoreError(
        f"The id prefix {prefix!r} matches several articles ({', '.join(ids)}, ...). "
        "Give more characters of the id; `veille list` shows them.")


def newer_schema(location: str, found: int, known: int) -> StoreError:
    """The error for a database written by a newer Veille."""
    return StoreError(
        f"The database {location} has schema version {found}, but this Veille only knows versions "
        f"up to {known}: it was written by a newer Veille. "
        "Upgrade Veille (pip install --upgrade veille) to use it.")
