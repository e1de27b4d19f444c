"""The types that flow through the pipeline.

``read`` turns a source into ``RawDocument``s (or ``Failure``s); the pipeline
makes one ``Article`` of each and every stage fills in more of it; ``record``
turns the finished ``Article`` into the JSON record of SPEC.md. Offsets of
every stage index into ``Article.text``, the cleaned body.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Article",
    "Entity",
    "Failure",
    "Mention",
    "Quote",
    "RawDocument",
    "Removed",
    "Source",
    "TextWarning",
    "article_id",
]

SOURCE_FORMATS = ("text", "html", "feed", "warc", "jsonl")


@dataclass(frozen=True)
class Source:
    """Where a document came from: a path or URL, and the format it was read in."""

    uri: str
    format: str = "text"


@dataclass
class RawDocument:
    """A document as the reader found it: plain text plus what the source says about it.

    HTML is already reduced to its main text by the reader (trafilatura), with
    ``extracted`` set; scraped text arrives as it is.
    """

    source: Source
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = None
    extracted: bool = False
    #: image captions the source marks as such (HTML ``<figcaption>``)
    captions: list[str] = field(default_factory=list)


@dataclass
class Failure:
    """A document that could not be analysed, and why. Batches record it and go on."""

    source: Source
    reason: str
    code: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"source": asdict(self.source), "reason": self.reason, "code": self.code}


@dataclass
class Removed:
    kind: str  # comment_form|captcha|caption|share|cookie|nav|duplicate|byline|date|other
    text: str


@dataclass
class TextWarning:
    kind: str  # translation_artifact|mixed_language|truncated|degraded_model|...
    text: str
    start: int = 0
    end: int = 0


@dataclass
class Mention:
    text: str
    start: int
    end: int
    label: str = ""  # the label the finder gave (spaCy NER label, "TABLE", "PRON")


@dataclass
class Entity:
    id: str
    name: str
    type: str  # PER|ORG|GPE|LOC|FAC|MISC
    kb_id: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    screening: list[dict[str, Any]] = field(default_factory=list)
    #: the actor table's key when the entity was linked to it
    actor_key: str | None = None
    #: the knowledge base's FollowTheMoney id of the actor, when it is linked
    ftm_id: str | None = None
    #: where captions name the actor: {"caption": index in captions, "text", "start", "end"}
    caption_mentions: list[dict[str, Any]] = field(default_factory=list)
    #: where the place is (GPE/LOC/FAC, from the gazetteer): {"geonameid", "lat", "lon",
    #: "country_code" (ISO alpha-2, upper case), "feature" ("country"|"city"), "name"}
    place: dict[str, Any] | None = None


@dataclass
class Quote:
    kind: str  # direct|indirect
    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_text: str | None = None
    cue: str | None = None


@dataclass
class Article:
    """One article on its way through the pipeline."""

    raw: RawDocument
    text: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    captions: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    warnings: list[TextWarning] = field(default_factory=list)
    language: str | None = None
    #: (start, end, language) of blocks of the body in another language than the body
    foreign_blocks: list[tuple[int, int, str]] = field(default_factory=list)
    #: block text → (language, confidence), as judged by the cleaner, reused by the language stage
    block_languages: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    doc: Any = None  # the spaCy Doc of ``text``
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return article_id(self.text)

    def warn(self, kind: str, text: str, start: int = 0, end: int = 0) -> None:
        self.warnings.append(TextWarning(kind, text, start, end))


def article_id(text: str) -> str:
    """Stable id of an article: a hash of its cleaned body (NFC, whitespace-normalised)."""
    norm = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:20]
