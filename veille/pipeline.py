"""The pipeline: an ordered list of stages over ``Article``s, built from a config.

    source ─► read ─► clean ─► language ─► nlp ─► actors ─► quotes ─► record

``read`` turns inputs into ``RawDocument``s; every other stage is a callable
``Article -> Article`` (the ``nlp`` stage also has ``pipe`` for batches).
``analyze_many`` streams: it reads and cleans a batch, runs spaCy over the
batch with ``nlp.pipe``, finishes each article and yields its record. A
document that fails is yielded as a ``Failure`` (``on_error="yield"``) or
raises (``on_error="raise"``); either way it never stops the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import read
from .actors import ActorFinder
from .clean import Cleaner
from .document import Article, Failure, RawDocument
from .errors import ConfigError, VeilleError, error_for
from .events import EventFinder
from .language import detect_language
from .linking import Linker
from .nlp import NLP
from .places import PlaceResolver
from .quotes import QuoteFinder
from .record import to_record
from .screening import Screener

__all__ = ["Pipeline", "PipelineConfig", "Record"]

Record = dict[str, Any]
Stage = Callable[[Article], Article]


@dataclass(frozen=True)
class PipelineConfig:
    """Everything a pipeline is built from; a worker rebuilds the same pipeline from it."""

    batch_size: int = 16
    #: inputs larger than this are refused (InputTooLarge)
    max_bytes: int = 20_000_000
    #: cleaned bodies longer than this are cut, with a ``truncated`` warning
    max_chars: int = 200_000
    stages: tuple[str, ...] = ("clean", "language", "nlp", "actors", "places", "link", "quotes", "events", "screen")
    #: the Veille database whose knowledge base actors are linked to and screened against
    #: (None: the bundled starter knowledge base, in memory)
    kb: str | None = None
    read: read.ReadOptions = field(default_factory=read.ReadOptions)

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, not {self.batch_size}")
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise ConfigError(f"unknown stage(s) {unknown}; known stages: {', '.join(STAGES)}")
        if self.read.max_bytes != self.max_bytes:
            object.__setattr__(self, "read", read.ReadOptions(max_bytes=self.max_bytes,
                                                              extract_html=self.read.extract_html))


#: stage name → factory building it from the config
STAGES: dict[str, Callable[[PipelineConfig], Stage]] = {
    "clean": lambda c: Cleaner(max_chars=c.max_chars),
    "verbatim": lambda c: keep_text,
    "language": lambda c: detect_language,
    "nlp": lambda c: NLP(batch_size=c.batch_size, max_chars=c.max_chars),
    "actors": lambda c: ActorFinder(),
    "places": lambda c: PlaceResolver(),
    "quotes": lambda c: QuoteFinder(),
    "events": lambda c: EventFinder(),
    "link": lambda c: Linker(kb_path=c.kb),
    "screen": lambda c: Screener(kb_path=c.kb),
}


def keep_text(article: Article) -> Article:
    """The ``verbatim`` stage, in place of ``clean``: the text as given, title and all, for
    annotated corpora whose offsets must not move (``veille eval ner``)."""
    article.text = article.raw.text
    article.title = article.raw.title
    article.language = article.raw.language
    return article


class Pipeline:
    """Analyse news articles into records.

    >>> Pipeline().analyze("Le président russe Vladimir Poutine est arrivé mercredi à Pyongyang.")["language"]
    'fr'
    """

    def __init__(self, config: PipelineConfig | None = None):
        self.config = config or PipelineConfig()
        self.stages: list[tuple[str, Stage]] = [(name, STAGES[name](self.config)) for name in self.config.stages]
        names = [n for n, _ in self.stages]
        self._before_nlp = self.stages[: names.index("nlp")] if "nlp" in names else self.stages
        self._nlp = dict(self.stages).get("nlp")
        self._after_nlp = self.stages[names.index("nlp") + 1:] if "nlp" in names else []

    # -- one document ------------------------------------------------------------
    def analyze(self, source: str | Path | RawDocument) -> Record:
        """The record of one article: ``str`` is its text (plain or HTML), ``Path`` a file."""
        results = list(self.analyze_many([source], on_error="raise"))
        if len(results) != 1:
            raise VeilleError(f"{source!s:.60}: holds {len(results)} documents; use analyze_many")
        result = results[0]
        assert not isinstance(result, Failure)
        return result

    # -- many documents ----------------------------------------------------------
    def analyze_many(
        self,
        sources: Iterable[str | Path | RawDocument | Failure],
        *,
        batch_size: int | None = None,
        on_error: Literal["raise", "yield"] = "yield",
    ) -> Iterator[Record | Failure]:
        """Stream records, in input order, batching articles through spaCy."""
        size = batch_size or self.config.batch_size
        batch: list[Article | Failure] = []
        for doc in self._documents(sources):
            batch.append(self._prepare(doc, on_error))
            if len(batch) >= size:
                yield from self._finish(batch, on_error)
                batch = []
        if batch:
            yield from self._finish(batch, on_error)

    def _documents(self, sources: Iterable[str | Path | RawDocument | Failure]) -> Iterator[RawDocument | Failure]:
        for source in sources:
            if isinstance(source, (RawDocument, Failure)):
                yield source
            elif isinstance(source, Path):
                yield from read.read_paths([source], self.config.read)
            elif isinstance(source, str):
                yield read.read_text(source, options=self.config.read)
            else:
                raise TypeError(f"cannot analyse a {type(source).__name__}: pass str, pathlib.Path or RawDocument")

    def _prepare(self, doc: RawDocument | Failure, on_error: str) -> Article | Failure:
        if isinstance(doc, Failure):
            if on_error == "raise":
                raise error_for(doc.code, doc.reason)
            return doc
        return self._run(Article(doc), self._before_nlp, on_error)

    def _finish(self, batch: list[Article | Failure], on_error: str) -> Iterator[Record | Failure]:
        articles = [a for a in batch if isinstance(a, Article)]
        if self._nlp is not None and articles:
            self._nlp.pipe(articles)  # type: ignore[attr-defined]
        for item in batch:
            if isinstance(item, Failure):
                yield item
                continue
            done = self._run(item, self._after_nlp, on_error)
            yield done if isinstance(done, Failure) else to_record(done)

    @staticmethod
    def _run(article: Article, stages: list[tuple[str, Stage]], on_error: str) -> Article | Failure:
        for _name, stage in stages:
            try:
                article = stage(article)
            except VeilleError as exc:
                if on_error == "raise":
                    raise
                return Failure(article.raw.source, str(exc), exc.code)
            except Exception as exc:  # a bug in a stage: record it for this document, go on with the batch
                if on_error == "raise":
                    raise
                return Failure(article.raw.source, f"internal error in stage {_name!r}: {exc!r}", "internal")
        return article
