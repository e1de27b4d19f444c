"""Text normalisation shared by every stage.

Scraped and machine-translated news mixes typographic variants: ’ and ',
« » and “ ”, accented and unaccented capitals ("Etats-Unis"). Rules compare
*folded* text so that no variant breaks them, while offsets keep pointing
into the original: ``fold`` maps each character to exactly one character.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_char", "key", "WORD_JOINERS"]

_APOSTROPHES = "’‘`´ʼ′"
_DOUBLE_QUOTES = "«»“”„‟″"
_DASHES = "‐‑‒–—―−"
#: characters that continue a word ("Kim Jong-un", "aujourd'hui")
WORD_JOINERS = "-'"


@lru_cache(maxsize=4096)
def fold_char(c: str) -> str:
    """One character to its comparison form: lower case, no accent, plain punctuation."""
    if c in _APOSTROPHES:
        return "'"
    if c in _DOUBLE_QUOTES:
        return '"'
    if c in _DASHES:
        return "-"
    if c.isspace():
        return " "
    low = c.lower()
    if len(low) != 1:  # "İ".lower() is two characters
        low = c
    if ord(low) >= 0x0530:
        # only Latin, Greek and Cyrillic letters lose their accents: NFD would break a Hangul
        # syllable into its jamo, and a kana's voicing mark changes the word
        return low
    decomposed = unicodedata.normalize("NFD", low)
    return decomposed[0] if all(unicodedata.combining(m) for m in decomposed[1:]) else low


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = fold_char(chr(code))
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """``text`` folded character by character: same length, so offsets carry over."""
    return text.translate(_TABLE)


@lru_cache(maxsize=200_000)
def key(text: str) -> str:
    """A comparison key for names and phrases: folded, hyphens as spaces, spaces collapsed."""
    return " ".join(fold(text).replace("-", " ").split())
