"""Language of the body and of each block, with lingua.

The detector is built once per process, for the languages news comes in most
(``DETECTED``); restricting the set makes lingua faster and more accurate on
short blocks such as captions. Low-accuracy mode (trigram models only) loads
in a fraction of a second instead of several; blocks shorter than
``MIN_BLOCK_CHARS`` letters, where it is weakest, are not judged.
"""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from .document import Article

__all__ = ["DETECTED", "detect", "detect_language", "dominant"]

DETECTED = (
    "ARABIC", "CHINESE", "CZECH", "DANISH", "DUTCH", "ENGLISH", "FINNISH", "FRENCH", "GERMAN", "GREEK",
    "HEBREW", "HINDI", "HUNGARIAN", "INDONESIAN", "ITALIAN", "JAPANESE", "KOREAN", "PERSIAN", "POLISH",
    "PORTUGUESE", "ROMANIAN", "RUSSIAN", "SPANISH", "SWEDISH", "TURKISH", "UKRAINIAN", "VIETNAMESE",
)
#: a block needs this many word characters before its language is trusted
MIN_BLOCK_CHARS = 40
MIN_CONFIDENCE = 0.6
_BLOCK = re.compile(r"[^\n]+")


@cache
def _detector() -> LanguageDetector:
    languages = [getattr(Language, name) for name in DETECTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code of ``text``'s language and lingua's confidence in it, or (None, 0.0)."""
    sample = text[:2000]
    if sum(c.isalpha() for c in sample) < 3:
        return None, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), top.value


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def dominant(blocks: list[str]) -> tuple[str | None, list[tuple[str | None, float]]]:
    """The language with the most letters over ``blocks``, and each block's (language, confidence).

    Judging blocks one by one keeps an English article with a French quotation English,
    where lingua on the whole text may weigh the mixture otherwise.
    """
    found = [detect(b) if _letters(b) >= MIN_BLOCK_CHARS else (None, 0.0) for b in blocks]
    weight: dict[str, int] = {}
    for block, (code, _) in zip(blocks, found, strict=True):
        if code:
            weight[code] = weight.get(code, 0) + _letters(block)
    if weight:
        return max(weight, key=lambda c: weight[c]), found
    return detect(" ".join(blocks))[0], found


def detect_language(article: Article) -> Article:
    """Set the body's language and mark blocks written in another one."""
    blocks = list(_BLOCK.finditer(article.text))
    code, found = dominant([m.group() for m in blocks])
    article.language = code or article.raw.language or article.language
    article.foreign_blocks = []
    for m, (other, confidence) in zip(blocks, found, strict=True):
        block = m.group()
        if other and other != article.language and confidence >= MIN_CONFIDENCE:
            article.foreign_blocks.append((m.start(), m.end(), other))
            article.warn("mixed_language", f"block in {other}: {block[:80]}", m.start(), m.end())
    return article
