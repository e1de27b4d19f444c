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

import spacy
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
#: a block's language shows in its first few sentences
BLOCK_SAMPLE = 400
#: the longest blocks are always judged by lingua; the others may be settled by stop words
SURE_BLOCKS = 3
#: running text has 35-50% stop words; another language's text has few of this one's
STOP_WORD_SHARE = 0.3
_WORDS = re.compile(r"\w+")
_BLOCK = re.compile(r"[^\n]+")


@cache
def _detector() -> LanguageDetector:
    languages = [getattr(Language, name) for name in DETECTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(text: str, sample_chars: int = 2000) -> tuple[str | None, float]:
    """ISO 639-1 code of ``text``'s language and lingua's confidence in it, or (None, 0.0).

    Only the first ``sample_chars`` characters are read: lingua's time grows with the text.
    """
    sample = text[:sample_chars]
    if _letters(sample) < 3:
        return None, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), top.value


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def dominant(blocks: list[str], known: dict[str, tuple[str | None, float]] | None = None,
             ) -> tuple[str | None, list[tuple[str | None, float]]]:
    """The language with the most letters over ``blocks``, and each block's (language, confidence).

    Judging blocks one by one keeps an English article with a French quotation English,
    where lingua on the whole text may weigh the mixture otherwise. ``known`` holds blocks
    judged already (the cleaner's), and is filled with the new ones.
    """
    known = {} if known is None else known
    longest = sorted(blocks, key=len, reverse=True)
    for b in longest[:SURE_BLOCKS]:
        _judge(b, known, None)
    weight: dict[str, int] = {}
    for b in longest[:SURE_BLOCKS]:
        code = known[b][0]
        if code:
            weight[code] = weight.get(code, 0) + _letters(b)
    provisional = max(weight, key=lambda c: weight[c]) if weight else None
    found = [_judge(b, known, provisional) for b in blocks]
    weight: dict[str, int] = {}
    for block, (code, _) in zip(blocks, found, strict=True):
        if code:
            weight[code] = weight.get(code, 0) + _letters(block)
    if weight:
        return max(weight, key=lambda c: weight[c]), found
    return detect(" ".join(blocks))[0], found


def _judge(block: str, known: dict[str, tuple[str | None, float]], likely: str | None) -> tuple[str | None, float]:
    """A block's language: lingua, unless it is plainly written in ``likely`` (its stop words abound)."""
    if block not in known:
        if _letters(block) < MIN_BLOCK_CHARS:
            known[block] = (None, 0.0)
        elif likely and _stop_word_share(block, likely) >= STOP_WORD_SHARE:
            known[block] = (likely, 1.0)
        else:
            known[block] = detect(block, BLOCK_SAMPLE)
    return known[block]


@cache
def _stop_words(code: str) -> frozenset[str]:
    try:
        return frozenset(spacy.util.get_lang_class(code).Defaults.stop_words)
    except (ImportError, KeyError, ValueError):  # spaCy has no class for this language
        return frozenset()


def _stop_word_share(block: str, code: str) -> float:
    words = _WORDS.findall(block.lower())
    stops = _stop_words(code)
    return sum(w in stops for w in words) / len(words) if words and stops else 0.0


def detect_language(article: Article) -> Article:
    """Set the body's language and mark blocks written in another one."""
    blocks = list(_BLOCK.finditer(article.text))
    code, found = dominant([m.group() for m in blocks], article.block_languages)
    article.language = code or article.raw.language or article.language
    article.foreign_blocks = []
    for m, (other, confidence) in zip(blocks, found, strict=True):
        block = m.group()
        if other and other != article.language and confidence >= MIN_CONFIDENCE:
            article.foreign_blocks.append((m.start(), m.end(), other))
            article.warn("mixed_language", f"block in {other}: {block[:80]}", m.start(), m.end())
    return article
