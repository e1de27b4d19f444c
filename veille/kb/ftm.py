"""Read FollowTheMoney entities as OpenSanctions publishes them: JSON lines, one entity per line.

``read_ftm`` streams a file (plain or gzip-compressed, of any size: one line in memory at a
time), validates each entity with FtM's ``model.get_proxy`` and yields it cleaned, as a
``CleanEntity`` dict. A line that is not an entity (bad JSON, undecodable bytes, no id, an
unknown schema, properties that are not lists of strings) is skipped and reported with its
line number to ``on_invalid``; it never stops the file.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from veille.errors import InputError, SourceNotFound
from veille.kb import CleanEntity, InvalidLine, check_properties

__all__ = ["detect_format", "open_input", "read_ftm"]

_GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_input(path: str | Path) -> Iterator[IO[bytes]]:
    """Open a file for reading bytes, decompressing it when it is gzip (by content, not name)."""
    path = Path(path)
    try:
        f = path.open("rb")
    except FileNotFoundError as exc:
        raise SourceNotFound(f"{path}: no such file; check the path") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}); check that it is a readable file") from exc
    with f:
        if f.peek(2)[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=f, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield f


def detect_format(path: str | Path) -> str:
    """``"un-xml"`` or ``"ftm"``, from the first bytes of the file (gzip is looked into)."""
    with open_input(path) as f:
        try:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{path}: cannot be read ({exc}); is it a damaged gzip file?") from exc
    if head.startswith(b"<"):
        return "un-xml"
    if head.startswith(b"{") or not head:
        return "ftm"
    raise InputError(f"{path}: neither FollowTheMoney JSON lines nor an XML list; give --format if it is one")


def read_ftm(path: str | Path, on_invalid: Callable[[InvalidLine], None] | None = None) -> Iterator[CleanEntity]:
    """The entities of an FtM JSON lines file (``.gz`` too), validated and cleaned.

    ``on_invalid`` receives an ``InvalidLine`` (file, line number, reason) for each line
    that is skipped. Raises ``InputError`` when the file cannot be read at all (missing,
    a damaged gzip stream).
    """
    from followthemoney import model
    from followthemoney.exc import FollowTheMoneyException

    source = str(path)

    def invalid(line: int, reason: str) -> None:
        if on_invalid is not None:
            on_invalid(InvalidLine(source, line, reason))

    with open_input(path) as f:
        lineno = 0
        try:
            for lineno, raw in enumerate(f, 1):  # noqa: B007 (lineno is read after the loop on errors)
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    invalid(lineno, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
                    continue
                except json.JSONDecodeError as exc:
                    invalid(lineno, f"not JSON ({exc.msg}, column {exc.colno})")
                    continue
                reason = _check(data)
                if reason is None and model.get(data["schema"]) is None:
                    reason = f"{data['id']}: unknown schema {data['schema']!r}"
                if reason:
                    invalid(lineno, reason)
                    continue
                try:
                    proxy = model.get_proxy(data, cleaned=False)
                except (FollowTheMoneyException, TypeError, ValueError, AttributeError) as exc:
                    invalid(lineno, f"{data['id']}: {exc}")
                    continue
                entity = CleanEntity(data)
                entity["schema"] = proxy.schema.name
                entity["properties"] = proxy.properties
                if not isinstance(entity.get("caption"), str) or not entity["caption"].strip():
                    entity["caption"] = proxy.caption
                yield entity
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{path}: cannot be read after line {lineno} ({exc}); is it a damaged gzip file?") \
                from exc


def _check(data: object) -> str | None:
    """What makes a JSON value not an FtM entity, or None."""
    if not isinstance(data, dict):
        return f"not an entity (a JSON object) but a JSON {type(data).__name__}"
    entity_id, schema = data.get("id"), data.get("schema")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return "no 'id'"
    if not isinstance(schema, str) or not schema:
        return f"{entity_id}: no 'schema'"
    problem = check_properties(data.get("properties"))
    return f"{entity_id}: {problem}" if problem else None
