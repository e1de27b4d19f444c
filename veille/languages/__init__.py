"""Per-language knowledge, loaded from the data files in this folder.

See README.md beside this file for what each file holds. Code asks for a
language's data with ``get(code)``; a language with no folder gets empty lists
and the default quotation marks, so every language can be analysed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError

__all__ = ["LanguageData", "available", "get", "everywhere", "read_file"]

HERE = Path(__file__).resolve().parent
DEFAULT_MARKS = (("«", "»"), ("“", "”"), ("„", "“"), ('"', '"'))


@dataclass(frozen=True)
class LanguageData:
    code: str
    name: str = ""
    spacy_models: tuple[str, ...] = ()
    blank_tokenizer: str | None = None
    cleaning: dict[str, Any] = field(default_factory=dict)
    quotes: dict[str, Any] = field(default_factory=dict)
    actors: dict[str, Any] = field(default_factory=dict)

    @property
    def marks(self) -> tuple[tuple[str, str], ...]:
        pairs = self.quotes.get("marks")
        return tuple(tuple(p) for p in pairs) if pairs else DEFAULT_MARKS  # type: ignore[misc]


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc}); fix the language data file") from exc


@cache
def get(code: str | None) -> LanguageData:
    """The data of one language (empty lists for a language Veille has no folder for)."""
    code = (code or "").lower()
    folder = HERE / code
    if not code or not folder.is_dir():
        return LanguageData(code=code)
    meta = _read(folder / "language.toml")
    return LanguageData(
        code=code,
        name=meta.get("name", code),
        spacy_models=tuple(meta.get("spacy_models", ())),
        blank_tokenizer=meta.get("blank_tokenizer"),
        cleaning=_read(folder / "cleaning.toml"),
        quotes=_read(folder / "quotes.toml"),
        actors=_read(folder / "actors.toml"),
    )


def read_file(code: str, name: str) -> dict[str, Any]:
    """One data file of a language's folder (empty when the language or the file has none)."""
    code = (code or "").lower()
    if not code or not (HERE / code).is_dir():
        return {}
    return _read(HERE / code / name)


@cache
def available() -> tuple[str, ...]:
    """Codes of the languages that have a data folder."""
    return tuple(sorted(p.name for p in HERE.iterdir() if p.is_dir() and (p / "language.toml").exists()))


def everywhere() -> list[LanguageData]:
    """Data of every language: boilerplate of any language is removed from any page."""
    return [get(code) for code in available()]
