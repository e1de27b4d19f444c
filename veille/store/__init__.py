"""Where Veille keeps analysis records: ``open_store()`` and the ``Store`` interface.

``open_store`` picks the backend from what it is given:

* nothing: the ``VEILLE_DB`` environment variable if set, else
  :func:`default_db_path`;
* a ``postgresql://`` URL: reserved for the PostgreSQL store (not yet
  available; this is where it plugs in);
* any other string or path: a SQLite file, created with its folders if
  missing (``":memory:"`` gives a throw-away in-memory database).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

from veille.errors import StoreError
from veille.store.base import MIN_PREFIX_LENGTH, Store
from veille.store.sqlite import SQLiteStore

__all__ = ["ENV_VAR", "MIN_PREFIX_LENGTH", "SQLiteStore", "Store", "default_db_path", "open_store"]

#: environment variable naming the database when none is given
ENV_VAR = "VEILLE_DB"

# "scheme://..."; two letters at least, so a Windows drive ("C://") is a path.
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+)://")
_POSTGRES_SCHEMES = {"postgres", "postgresql"}


def default_db_path() -> Path:
    """The database used when neither an argument nor ``VEILLE_DB`` names one.

    ``<user data dir>/veille/veille.db``, e.g. ``~/.local/share/veille/veille.db``
    on Linux. Nothing is created here; opening the store creates the folder.
    """
    return platformdirs.user_data_path("veille") / "veille.db"


def open_store(target: str | Path | None = None) -> Store:
    """Open (creating and migrating if needed) the store named by ``target``.

    Raises StoreError when the target is a database URL Veille cannot use yet,
    or when the database cannot be opened.
    """
    if target is None:
        target = os.environ.get(ENV_VAR) or default_db_path()
    if isinstance(target, str):
        _reject_unsupported_url(target)
    return SQLiteStore(target)


def _reject_unsupported_url(target: str) -> None:
    match = _URL.match(target)
    if match is None:
        return
    scheme = match["scheme"].lower().split("+")[0]
    if scheme in _POSTGRES_SCHEMES:
        raise StoreError(
            f"PostgreSQL is not supported yet ({scheme}://...): a later version of Veille adds it. "
            "For now, give the path of a SQLite file, or leave it out to use the default database."
        )
    raise StoreError(
        f"Veille cannot use a {scheme}:// database. Give the path of a SQLite file, "
        "or leave it out to use the default database."
    )
