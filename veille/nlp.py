"""spaCy pipelines, one per language, loaded once per process and run in batches.

A language whose pipeline is not installed is still analysed, in *degraded
mode*: spaCy's blank tokenizer and a rule-based sentence splitter. Later
stages then find actors by the actor table's names and quotes by punctuation,
and the record's warnings name the package to install.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from . import languages
from .document import Article
from .errors import ModelError

__all__ = ["LoadedModel", "NLP", "load_model"]


@dataclass(frozen=True)
class LoadedModel:
    nlp: Language
    #: the spaCy package loaded, or None in degraded mode
    package: str | None
    language: str

    @property
    def degraded(self) -> bool:
        return self.package is None


_SENTENCE_END = frozenset(".!?…:;»”\"“)")


@Language.component("veille_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A paragraph break ends a sentence, and a sentence only starts after one or after
    sentence-final punctuation. The parser (or sentencizer) keeps boundaries set before it;
    without this the French parser splits "... Antony Blinken | a déclaré que ...".
    """
    # one pass into an array: the Token.is_sent_start setter rescans the doc at every call
    starts = numpy.zeros(len(doc), dtype="int64")
    if len(doc):
        starts[0] = 1
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if prev.is_space and "\n" in prev.text or "\n" in prev.whitespace_:
            starts[token.i] = 1
        elif not token.is_space and not (prev.is_space or set(prev.text) & _SENTENCE_END):
            starts[token.i] = -1
    doc.from_array([SENT_START], starts.astype("uint64"))
    return doc


def _with_paragraph_breaks(nlp: Language) -> Language:
    before = next((p for p in ("parser", "senter", "sentencizer") if p in nlp.pipe_names), None)
    if before is not None:
        nlp.add_pipe("veille_paragraph_breaks", before=before)
    return nlp


_CACHE: dict[str, LoadedModel] = {}
_LOCK = threading.Lock()


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def _blank(code: str) -> Language:
    data = languages.get(code)
    config = {}
    if data.blank_tokenizer == "default":
        # spaCy's rule-based tokenizer in place of one that needs extra libraries (mecab-ko)
        config = {"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}}
    try:
        nlp = spacy.blank(code or "xx", config=config)
    except (ImportError, KeyError, ValueError, OSError):
        # spaCy has no language class for ``code``, or it needs a library we do not ship
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def load_model(code: str | None, max_length: int = 1_000_000) -> LoadedModel:
    """The pipeline for language ``code``: the first installed spaCy package of its list, else blank."""
    code = code or "xx"
    with _LOCK:
        if code in _CACHE:
            return _CACHE[code]
        package = next((p for p in languages.get(code).spacy_models if _installed(p)), None)
        if package is None:
            model = LoadedModel(_blank(code), None, code)
        else:
            try:
                nlp = spacy.load(package)
            except Exception as exc:  # a broken install: say which package and how to repair it
                raise ModelError(
                    f"spaCy pipeline {package!r} for {code!r} is installed but failed to load ({exc}); "
                    f"reinstall it with: pip install --force-reinstall {package.replace('_', '-')}"
                ) from exc
            model = LoadedModel(nlp, package, code)
        _with_paragraph_breaks(model.nlp)
        model.nlp.max_length = max(model.nlp.max_length, max_length + 1)
        _CACHE[code] = model
        return model


class NLP:
    """The ``nlp`` stage: sets ``article.doc``, batching articles of one language through ``nlp.pipe``."""

    def __init__(self, batch_size: int = 16, max_chars: int = 200_000):
        self.batch_size = batch_size
        self.max_chars = max_chars

    def __call__(self, article: Article) -> Article:
        self.pipe([article])
        return article

    def pipe(self, articles: Iterable[Article]) -> list[Article]:
        batch = list(articles)
        by_language: dict[str, list[Article]] = defaultdict(list)
        for article in batch:
            by_language[article.language or "xx"].append(article)
        for code, group in by_language.items():
            model = load_model(code, self.max_chars)
            docs = model.nlp.pipe((a.text for a in group), batch_size=self.batch_size)
            for article, doc in zip(group, docs, strict=True):
                article.doc = doc
                if model.degraded:
                    wanted = languages.get(code).spacy_models
                    hint = f"install {wanted[0].replace('_', '-')} for full analysis" if wanted else (
                        "no spaCy pipeline is known for this language")
                    article.warn("degraded_model",
                                 f"no spaCy pipeline for {code!r} is installed: tokenizer and sentence splitter only "
                                 f"(actors from the actor table, direct quotes by punctuation); {hint}")
        return batch
