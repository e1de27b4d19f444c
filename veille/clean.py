"""Scraped text → article: title, authors, captions and body, and what was removed.

Much news reaches analysts as already-scraped text, with the page's junk
around the article: captions (sometimes in another language, or printed twice
as alt text and figure caption), bylines, share buttons, cookie banners,
navigation crumbs, comment forms and captchas. trafilatura does this job for
HTML; for plain text no library does, so the rules are written here, once for
every language, and read their phrases from ``veille/languages/*/cleaning.toml``.

The page is read as lines. Each line gets a *kind* (None = body). The *head*
is what comes before the first paragraph: that is where titles, bylines, dates
and leading captions live. The body is the lines left, joined by blank lines;
every later offset indexes into it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from . import languages
from .document import Article, Removed
from .errors import EmptyInput
from .language import detect, dominant
from .text import fold, key

__all__ = ["Cleaner", "Boilerplate"]

_SENTENCE_END = tuple(".!?…:;")
_CLOSERS = "»”\"'’)] \u00a0\u202f"
_WORD = re.compile(r"\w[\w'’-]*")
_CRUMB_SEP = re.compile(r"\s+[>›»/|]\s+")
_DIGIT = re.compile(r"\d")
#: a wire dateline opening the first paragraph: "MOSCOU, 1 nov 2024 (AFP) - ", "SEOUL (Reuters) - ",
#: "VIENNA — " (a place in capitals and a dash, with no agency)
_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’. -]{1,40}?)(?:,\s*(?P<date>[^()\n]{3,30}?))?\s*"
    r"(?:\((?P<agency>[^()\n]{2,25})\)\s*[-–—]+|\s[–—]|\s--)\s+")
#: a news agency's desk signature closing a wire story ("bur-gkg/cn/ial", "jmr/abc")
_DESK_SLUG = re.compile(r"^[a-z]{2,6}(?:[-/][a-z]{2,6})+$")
_LETTER_PAIR = re.compile(r"[^\W\d_]{2}")

MIN_PARAGRAPH_WORDS = 12
MAX_TITLE_WORDS = 30
MAX_CAPTION_WORDS = 45
MIN_FOREIGN_WORDS = 6


def _words(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass
class Line:
    text: str
    kind: str | None = None

    @cached_property
    def key(self) -> str:
        return key(self.text)

    @cached_property
    def n_words(self) -> int:
        return _words(self.text)

    @property
    def is_paragraph(self) -> bool:
        """Running text: long enough, and ends like a sentence (or is very long)."""
        ends_sentence = self.text.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        return self.n_words >= MIN_PARAGRAPH_WORDS and (ends_sentence or self.n_words >= 25)


class Boilerplate:
    """Every language's boilerplate phrases, compiled once (a French page may carry an English cookie banner)."""

    def __init__(self, data: list[languages.LanguageData]):
        self.exact: dict[str, str] = {}
        self.prefix: list[tuple[str, str]] = []
        self.contains: list[tuple[str, str]] = []
        self.comment_start: set[str] = set()
        self.byline_prefixes: list[str] = []
        self.byline_suffixes: list[str] = []
        self.date_prefixes: list[str] = []
        self.credits: list[str] = []
        numbers: set[str] = set()
        conjunctions: set[str] = set()
        self.particles: set[str] = set()
        for lang in data:
            c = lang.cleaning
            for kind in ("comment_form", "share", "cookie", "subscribe", "nav", "related", "other"):
                section = c.get(kind, {})
                self.exact.update({key(p): kind for p in section.get("exact", [])})
                self.prefix += [(key(p), kind) for p in section.get("prefix", [])]
                self.contains += [(key(p), kind) for p in section.get("contains", [])]
            self.comment_start |= {key(p) for p in c.get("comment_form_start", [])}
            self.byline_prefixes += [key(p) for p in c.get("byline_prefixes", [])]
            self.byline_suffixes += [key(p) for p in c.get("byline_suffixes", [])]
            self.date_prefixes += [key(p) for p in c.get("date_prefixes", [])]
            self.credits += [fold(p) for p in c.get("caption_credits", [])]
            numbers |= {key(n) for n in c.get("numbers", [])}
            conjunctions |= {n.lower() for n in c.get("author_conjunctions", [])}
            self.particles |= {n.lower() for n in c.get("name_particles", [])}
        # longest first, so "Mis à jour le" wins over "Mis à jour"
        self.date_prefixes.sort(key=len, reverse=True)
        self.byline_prefixes.sort(key=len, reverse=True)
        operand = r"(?:\d+|" + "|".join(re.escape(n) for n in sorted(numbers, key=len, reverse=True)) + ")"
        # "dix + quinze =", "7 x 3 = ?", "seven + 3 = ___": a captcha question, in any language
        # "By A and B, Reuters", "Par A et B": the names of a byline
        self.author_separator = re.compile(
            r"\s+(?:" + "|".join(map(re.escape, sorted(conjunctions))) + r")\s+|[,;|&/]" if conjunctions else r"[,;|&/]")
        self.captcha = re.compile(rf"^\s*{operand}\s*[-+x×*÷/]\s*{operand}\s*=\s*(?:\?|_+|\d+)?\s*$")

    def kind_of(self, line: Line) -> str | None:
        """The boilerplate kind of one line, or None when it is not boilerplate."""
        k = line.key
        if not k:
            return "other"
        if k in self.exact:
            return self.exact[k]
        if self.captcha.match(" ".join(fold(line.text).split())):  # fold keeps the minus sign
            return "captcha"
        short = line.n_words <= 40
        for phrase, kind in self.prefix:
            if k.startswith(phrase) and short and (len(k) == len(phrase) or not k[len(phrase)].isalnum()):
                return kind
        if short:
            for phrase, kind in self.contains:
                if phrase in k:
                    return kind
        if self._is_crumb(line.text):
            return "nav"
        if _DESK_SLUG.match(line.text):
            return "other"
        return None

    @staticmethod
    def _is_crumb(text: str) -> bool:
        """ "Accueil > International > Asie": short segments between separators, no sentence."""
        parts = _CRUMB_SEP.split(text)
        return len(parts) >= 3 and all(0 < _words(p) <= 4 for p in parts) and not text.endswith(".")

    def is_credit(self, line: Line) -> bool:
        """A photo credit ends a caption ("... le 11 mars 2024. © AFP"); a wire dateline's
        "(AFP) -" opens a paragraph and is no credit."""
        folded = fold(line.text)
        if line.n_words > MAX_CAPTION_WORDS:
            return False
        return any(0 <= folded.rfind(c) and (line.n_words <= 15 or folded.rfind(c) >= len(folded) * 0.6)
                   for c in self.credits)

    def strip_date_prefix(self, k: str) -> str:
        for p in self.date_prefixes:
            if k.startswith(p + " "):
                return k[len(p) + 1:]
        return k

    def byline_names(self, line: Line) -> list[str] | None:
        """The author names of a byline ("Par Claire Dubois", "By A and B, Reuters", "Milos Schmidt"), or None."""
        text = line.text.strip()
        k = line.key
        rest = None
        for p in self.byline_prefixes:
            if k.startswith(p + " ") and line.n_words <= 12:
                # drop as many words as the prefix has (the key collapsed spaces and hyphens)
                rest = text.split(None, len(p.split()))[-1].strip(" :")
                break
        if rest is None:
            for s in self.byline_suffixes:
                if k.endswith(" " + s) and line.n_words <= 6:
                    rest = text[: -len(s)].strip()
                    break
        if rest is None:
            return [text] if self._looks_like_name(text) else None
        names = [n.strip() for n in self.author_separator.split(rest) if n.strip()]
        names = [n for n in names if self._looks_like_name(n)]
        return names or None

    def _looks_like_name(self, text: str) -> bool:
        """Two to four capitalised words, no digits, no sentence punctuation: "Milos Schmidt"."""
        words = text.split()
        if not 2 <= len(words) <= 4 or len(text) > 45 or _DIGIT.search(text):
            return False
        if any(c in text for c in ".!?:;«»“”\"()"):
            return False
        return all(w[0].isupper() or w.lower() in self.particles for w in words) and words[0][0].isupper()


class Cleaner:
    """The ``clean`` stage: fills title, authors, published, captions, removed, warnings and text."""

    def __init__(self, max_chars: int = 200_000):
        self.max_chars = max_chars
        self.boilerplate = Boilerplate(languages.everywhere())

    def __call__(self, article: Article) -> Article:
        raw = article.raw
        text = unicodedata.normalize("NFC", raw.text).replace("\r\n", "\n").replace("\r", "\n")
        lines = [Line(s.strip()) for s in text.split("\n") if s.strip()]
        if not lines:
            raise EmptyInput(f"{raw.source.uri}: the document has no text")
        bp = self.boilerplate
        for line in lines:
            line.kind = bp.kind_of(line)
        paragraphs = [i for i, ln in enumerate(lines) if ln.kind is None and ln.is_paragraph]
        first_par = paragraphs[0] if paragraphs else len(lines)
        last_par = paragraphs[-1] if paragraphs else -1
        self._mark_comment_form(lines, first_par, last_par)
        body_language = self._guess_language(article, lines, paragraphs)
        # a caption written as a sentence in another language, above the title, is no first paragraph
        while first_par < last_par and lines[first_par].n_words <= MAX_CAPTION_WORDS and \
                self._is_foreign(lines[first_par], body_language):
            first_par = next(i for i in paragraphs if i > first_par)
        self._mark_duplicates(lines)
        article.title = raw.title.strip() if raw.title else None
        article.authors = list(raw.authors)
        article.published = raw.published
        article.captions = list(raw.captions)
        known = {key(c) for c in raw.captions}
        for line in lines:
            if line.kind is None and line.key in known:
                line.kind = "duplicate"  # a marked caption that extraction left in the text
        self._read_head(article, lines[:first_par], body_language)
        self._mark_captions(lines, body_language)
        if article.title:
            title_key = key(article.title)
            for line in lines:
                if line.kind is None and line.key == title_key:
                    line.kind = "title"
        if article.title and not any(line.kind is None for line in lines):
            # an excerpt that is one headline-like line: it is the text to analyse, not a title
            for line in lines:
                if line.kind == "title":
                    line.kind = None
        self._collect(article, lines)
        article.language = body_language
        self._strip_dateline(article)
        self._truncate(article)
        self._flag_artifacts(article)
        if not article.text:
            kinds = sorted({r.kind for r in article.removed} | ({"title"} if article.title else set()))
            raise EmptyInput(f"{raw.source.uri}: no article text left after cleaning: the page holds only "
                             f"{', '.join(kinds)} lines")
        return article

    def _mark_comment_form(self, lines: list[Line], first_par: int, last_par: int) -> None:
        """A "Leave a comment" line after the article starts the form: all that follows is the form
        (readers' comments too). It may come before a posted comment, so before the last paragraph."""
        first = first_par + 1 if first_par < len(lines) else 0  # no paragraph at all: the page is junk
        starts = [i for i in range(first, len(lines)) if lines[i].key in self.boilerplate.comment_start]
        for i in starts:
            paragraphs_after = sum(1 for ln in lines[i + 1:] if ln.kind is None and ln.is_paragraph)
            if i > last_par or paragraphs_after <= 2:
                for line in lines[i:]:
                    if line.kind != "captcha":
                        line.kind = "comment_form"
                return

    @staticmethod
    def _guess_language(article: Article, lines: list[Line], paragraphs: list[int]) -> str | None:
        """The language of the running text (the paragraphs), before the page is cleaned."""
        blocks = [lines[i].text for i in paragraphs] or [ln.text for ln in lines if ln.kind is None]
        code, _ = dominant(blocks[:40], article.block_languages)
        return code or article.raw.language

    @staticmethod
    def _mark_duplicates(lines: list[Line]) -> None:
        """A line printed twice (alt text and figure caption, or a scraping repeat): keep the first."""
        first: dict[str, Line] = {}
        for line in lines:
            if line.kind is not None:
                continue
            if line.key in first:
                line.kind = "duplicate"
                original = first[line.key]
                # a repeated single sentence is a caption; a repeated paragraph stays as body once
                if original.kind is None and line.n_words <= MAX_CAPTION_WORDS and line.text.count(". ") == 0:
                    original.kind = "caption"
            else:
                first[line.key] = line

    def _read_head(self, article: Article, head: list[Line], body_language: str | None) -> None:
        """Before the first paragraph: dates, bylines, foreign captions and the title."""
        bp = self.boilerplate
        for line in head:
            if line.kind is not None:
                continue
            if line.n_words <= 20 and _DIGIT.search(line.text) and self._read_date(article, line):
                line.kind = "date"
                continue
            names = bp.byline_names(line) if line.n_words <= 12 else None
            if names and (article.title or any(o is not line and o.kind is None and not o.is_paragraph for o in head)):
                line.kind = "byline"
                if not article.authors:
                    article.authors = names
                continue
            if self._is_foreign(line, body_language) or bp.is_credit(line):
                line.kind = "caption"
                continue
            if article.title is None and line.n_words <= MAX_TITLE_WORDS and not line.text.endswith("."):
                article.title = line.text
                line.kind = "title"

    def _read_date(self, article: Article, line: Line) -> bool:
        """A line that is only a date ("Publié le 12 mars 2024 à 10h05") gives the publication date."""
        import dateparser  # slow to import; only pages with a date line pay for it

        # "Publié le 12 mars 2024 à 10h05 - Mis à jour le ...": the first date is the publication
        first = re.split(r"\s[-|•–—]\s", line.text)[0]
        rest = self.boilerplate.strip_date_prefix(key(first))
        if not _LETTER_PAIR.search(rest) and not re.search(r"\d{4}", rest):
            return False
        found = dateparser.parse(rest, settings={"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False})
        if found is None:
            return False
        article.published = article.published or found.date().isoformat()
        return True

    @staticmethod
    def _is_foreign(line: Line, body_language: str | None) -> bool:
        # lingua's trigram models guess on a few words ("Chess final in Kazan" scores French)
        if not body_language or line.n_words < MIN_FOREIGN_WORDS or any(c in line.text for c in "«»“”\""):
            return False
        code, confidence = detect(line.text)
        return code is not None and code != body_language and confidence >= 0.6

    def _mark_captions(self, lines: list[Line], body_language: str | None) -> None:
        """Outside the head: photo-credit lines, and short standalone lines in another language."""
        for line in lines:
            if line.kind is not None or line.n_words > MAX_CAPTION_WORDS:
                continue
            if self.boilerplate.is_credit(line) or (not line.is_paragraph and self._is_foreign(line, body_language)):
                line.kind = "caption"

    @staticmethod
    def _collect(article: Article, lines: list[Line]) -> None:
        body: list[str] = []
        for line in lines:
            if line.kind is None:
                body.append(line.text)
            elif line.kind == "caption":
                if line.key not in {key(c) for c in article.captions}:
                    article.captions.append(line.text)
                article.removed.append(Removed("caption", line.text))
            elif line.kind != "title":
                article.removed.append(Removed(line.kind, line.text))
        article.text = "\n\n".join(body)

    def _strip_dateline(self, article: Article) -> None:
        """The dateline says where and when, and which agency: it is not the article's text."""
        m = _DATELINE.match(article.text)
        if m is None or not any(c.isalpha() for c in m.group("place")):
            return
        article.removed.append(Removed("dateline", m.group().strip(" -–—")))
        article.text = article.text[m.end():]
        date = m.group("date")
        if date and not article.published and re.search(r"\d{4}", date):
            import dateparser

            found = dateparser.parse(date, settings={"PREFER_DATES_FROM": "past"})
            if found is not None:
                article.published = found.date().isoformat()

    def _truncate(self, article: Article) -> None:
        if len(article.text) <= self.max_chars:
            return
        cut = article.text.rfind("\n\n", 0, self.max_chars)
        cut = cut if cut > 0 else self.max_chars
        dropped = len(article.text) - cut
        article.text = article.text[:cut]
        article.warn("truncated", f"body cut at {cut} characters; {dropped} more were not analysed", cut, cut)

    @staticmethod
    def _flag_artifacts(article: Article) -> None:
        """Machine-translation glitches: a quotation closed twice ("commencé ». Ukraine. »")."""
        text = article.text
        for open_mark, close_mark in languages.get(article.language).marks:
            if open_mark == close_mark:
                continue
            marks = re.compile("|".join(map(re.escape, (open_mark, close_mark, "\n\n"))))
            depth, last_close = 0, -1
            for m in marks.finditer(text):
                i, c = m.start(), m.group()
                if c == "\n\n":
                    depth = 0
                elif c == open_mark:
                    depth += 1
                else:
                    if depth == 0:
                        start = last_close if 0 <= last_close and i - last_close <= 80 else max(0, i - 30)
                        article.warn("translation_artifact", text[start:i + 1], start, i + 1)
                    depth = max(0, depth - 1)
                    last_close = i
