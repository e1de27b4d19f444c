"""Dates of events: find date expressions in a sentence and normalise them against the
article's publication date with dateparser.

Finding is per-language data (``[dates]`` of ``languages/<code>/events.toml``: weekdays,
months, relative phrases) plus the model's DATE entities where it has them; the
normalising is dateparser's. A relative expression ("mercredi", "last week") without a
publication date to anchor it keeps its text and gets no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from spacy.tokens import Span

from .text import fold

__all__ = ["DateExpression", "find_dates", "normalise"]

_YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_DAY_NUMBER = re.compile(r"^\d{1,2}(er|st|nd|rd|th)?$", re.IGNORECASE)


@dataclass(frozen=True)
class DateExpression:
    start: int  # character offsets in the article text
    end: int
    text: str
    head: int  # index of the token that carries it in the parse
    #: "weekday" ("mercredi"), "month" ("en mars", "19 juin 2024"), "relative" ("hier"), "entity" (the model's DATE)
    kind: str = "entity"


def find_dates(sent: Span, words: dict[str, tuple[str, ...]], text: str, ents: list[Span]) -> list[DateExpression]:
    """Date expressions of one sentence of ``text``, longest first when they overlap, in text
    order; ``ents`` are the model's DATE entities in the sentence."""
    found: list[DateExpression] = []
    weekdays, months, relative, anything = _patterns(tuple(words.get("weekdays", ())), tuple(words.get("months", ())),
                                                     tuple(words.get("relative", ())))
    # month names the language writes with a capital: in lower case they are other words
    capitalised = months if words.get("months_capitalised") else frozenset()
    folded = fold(text[sent.start_char:sent.end_char])
    if not ents and not anything.search(folded):
        return found  # most sentences name no date: skip the token walk
    tokens = list(sent)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        low = fold(t.text)
        if low in months and not (t.text.islower() and low in capitalised):  # English "may" is a verb
            s, e = i, i + 1
            if s > 0 and _DAY_NUMBER.match(tokens[s - 1].text):
                s -= 1
            if e < len(tokens) and _DAY_NUMBER.match(tokens[e].text):
                e += 1
                if e < len(tokens) and tokens[e].text == ",":
                    e += 1
            if e < len(tokens) and _YEAR.fullmatch(tokens[e].text):
                e += 1
            found.append(_expression(tokens[s:e], "month", text))
            i = e
            continue
        if low in weekdays:
            e = i + 1
            if e < len(tokens) and tokens[e].text == ",":
                e += 1
            if e + 1 < len(tokens) and _DAY_NUMBER.match(tokens[e].text) and fold(tokens[e + 1].text) in months:
                e += 2
            elif e + 1 < len(tokens) and fold(tokens[e].text) in months and _DAY_NUMBER.match(tokens[e + 1].text):
                e += 2
            else:
                e = i + 1
            found.append(_expression(tokens[i:e], "weekday" if e == i + 1 else "month", text))
            i = e
            continue
        i += 1
    for m in relative.finditer(folded):
        s, e = sent.start_char + m.start(), sent.start_char + m.end()
        span = sent.doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            found.append(DateExpression(s, e, text[s:e], span.root.i, "relative"))
    for ent in ents:
        if (_YEAR.search(ent.text) or any(fold(t.text) in weekdays | months for t in ent)):
            found.append(DateExpression(ent.start_char, ent.end_char, ent.text, ent.root.i))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    out: list[DateExpression] = []
    for d in found:
        if out and d.start < out[-1].end:
            continue
        out.append(d)
    return out


@lru_cache(maxsize=64)
def _patterns(weekdays: tuple[str, ...], months: tuple[str, ...], relative: tuple[str, ...]
              ) -> tuple[frozenset[str], frozenset[str], re.Pattern[str], re.Pattern[str]]:
    """Folded weekday and month sets, a pattern of the relative phrases, and one of any date word."""
    def alternation(phrases: tuple[str, ...]) -> str:
        return "|".join(re.escape(fold(p)) for p in sorted(phrases, key=len, reverse=True)) or "(?!)"

    rel = re.compile(r"(?<!\w)(?:" + alternation(relative) + r")(?!\w)")
    anything = re.compile(r"(?<!\w)(?:" + alternation(weekdays + months + relative) + r")(?!\w)|\b\d{4}\b")
    return frozenset(fold(w) for w in weekdays), frozenset(fold(w) for w in months), rel, anything


def _expression(tokens: list, kind: str, text: str) -> DateExpression:
    first, last = tokens[0], tokens[-1]
    head = min(tokens, key=lambda t: sum(1 for _ in t.ancestors))
    end = last.idx + len(last.text)
    return DateExpression(first.idx, end, text[first.idx:end], head.i, kind)


def normalise(text: str, language: str | None, published: str | None, *, kind: str = "entity",
              future: bool = False) -> str | None:
    """``text`` as an ISO date ("2024-06-19"), month ("2024-03") or year, or None.

    Relative expressions need ``published`` (ISO date or date-time) as their anchor; an
    expression with its own year is normalised without one. A bare weekday is the last
    such day up to the publication day (news says "mercredi" on the Wednesday itself), or
    the next one from it for a ``future`` (planned) event.
    """
    if not published and not _YEAR.search(text):
        return None
    return _normalise(text, language or "", (published or "")[:10], kind == "weekday", future)


@lru_cache(maxsize=4096)
def _normalise(text: str, language: str, published: str, weekday: bool, future: bool) -> str | None:
    from dateparser.date import DateDataParser  # imported on first use: it takes a second to load

    settings: dict = {"PREFER_DATES_FROM": "future" if future else "past", "RETURN_AS_TIMEZONE_AWARE": False,
                      "PREFER_DAY_OF_MONTH": "first"}
    if published:
        try:
            base = datetime.fromisoformat(published)
        except ValueError:
            return None
        if weekday:  # the publication day itself counts: shift the base by a day the right way
            base += timedelta(days=-1 if future else 1)
        settings["RELATIVE_BASE"] = base
    try:
        parser = DateDataParser(languages=[language] if language else None, settings=settings)
        data = parser.get_date_data(text)
    except (ValueError, KeyError, TypeError):  # dateparser has no data for this language
        return None
    if data is None or data.date_obj is None:
        return None
    when, period = data.date_obj, data.period
    if period == "year":
        return f"{when.year:04d}"
    if period == "month":
        return f"{when.year:04d}-{when.month:02d}"
    return when.date().isoformat()
