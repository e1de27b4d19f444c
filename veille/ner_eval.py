"""``veille eval ner``: entity spans and types against annotated corpora, and Wikidata links.

Corpora (the ``ner/`` folder of the evaluation data):

* CoNLL-style files (``*.conllu``: ``index token IOB2-tag`` per line, blank lines between
  sentences, ``-DOCSTART-`` between documents): CoNLL-2003 English, WikiNEuRal French;
* HIPE TSV files (``*hipe*.tsv``: columns ``TOKEN NE-COARSE-LIT ... NEL-LIT ... MISC``,
  ``# hipe2022:document_id`` and ``# hipe2022:language`` comments, ``NoSpaceAfter`` in MISC).

Each document's text is rebuilt from its tokens (sentences as paragraphs) and goes through
Veille's pipeline from the ``verbatim`` stage (the text as given) to ``actors`` and ``link``;
the baseline is the bare spaCy NER of the same model (``veille.nlp.load_model``). Types are
compared coarsely: PER, ORG, LOC (GPE, LOC and FAC, and HIPE's ``loc``); other types (MISC,
NORP, HIPE's ``prod`` and ``time``) are left out on both sides. *Strict*: same start, end and
type; *partial*: same type and overlapping spans, each span matched once. HIPE's Wikidata
links (``NEL-LIT``) score the ``kb_id`` of the Veille entity whose mention overlaps the gold
span, counted only where Veille's actor table or starter knowledge base knows the QID.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .evaluate import Counts, Evaluation

__all__ = ["GoldDocument", "Span", "evaluate_ner", "read_conll", "read_hipe", "spacy_spans", "veille_spans"]

#: labels of gold and systems → the coarse types scored (None: not scored)
COARSE = {"PER": "PER", "PERSON": "PER", "PERS": "PER", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "FAC": "LOC"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    qid: str | None = None


@dataclass
class GoldDocument:
    corpus: str
    id: str
    language: str
    text: str
    spans: list[Span] = field(default_factory=list)


def coarse(label: str) -> str | None:
    return COARSE.get(label.upper())


class _Builder:
    """Rebuilds a document's text from its tokens and turns IOB tags into character spans."""

    def __init__(self, corpus: str, doc_id: str, language: str) -> None:
        self.doc = GoldDocument(corpus, doc_id, language, "")
        self.parts: list[str] = []
        self.length = 0
        self.open: tuple[int, int, str, str | None] | None = None  # start, end, type, qid
        self.space = False

    def token(self, text: str, tag: str, qid: str | None = None, space_after: bool = True) -> None:
        if self.space:
            self._add(" ")
        start = self.length
        self._add(text)
        end = self.length
        self.space = space_after
        prefix, _, label = tag.partition("-")
        kind = coarse(label) if label else None
        if prefix == "I" and self.open is not None and label and self.open[2] == kind:
            self.open = (self.open[0], end, self.open[2], self.open[3])
            return
        self._close()
        if prefix in ("B", "I") and kind:
            self.open = (start, end, kind, qid if qid and qid.startswith("Q") else None)

    def sentence_end(self) -> None:
        self._close()
        if self.length:
            self._add("\n\n")
        self.space = False

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def _close(self) -> None:
        if self.open is not None:
            self.doc.spans.append(Span(*self.open))
            self.open = None

    def done(self) -> GoldDocument:
        self._close()
        self.doc.text = "".join(self.parts).rstrip()
        return self.doc


def read_conll(path: str | Path, language: str, sentences_per_document: int = 25) -> list[GoldDocument]:
    """Documents of a CoNLL-style file (``-DOCSTART-`` separates documents; a file without
    them is cut every ``sentences_per_document`` sentences)."""
    path = Path(path)
    lines = list(_lines(path))
    split = not any("-DOCSTART-" in line for line in lines)  # no document marks: cut every N sentences
    docs: list[GoldDocument] = []
    builder: _Builder | None = None
    sentences = 0

    def new() -> _Builder:
        return _Builder(path.stem, f"{path.stem}-{len(docs) + 1}", language)

    for line in lines:
        cells = line.split()
        if not cells:
            if builder is not None and builder.length:
                builder.sentence_end()
                sentences += 1
                if split and sentences >= sentences_per_document:
                    docs.append(builder.done())
                    builder, sentences = None, 0
            continue
        if cells[0] == "-DOCSTART-" or (len(cells) > 1 and cells[1] == "-DOCSTART-"):
            if builder is not None and builder.length:
                docs.append(builder.done())
            builder, sentences = None, 0
            continue
        if len(cells) < 3:
            raise InputError(f"{path}: a token line has {len(cells)} columns, not 3 (index, token, tag): {line!r}")
        builder = builder or new()
        builder.token(cells[1], cells[-1])
    if builder is not None and builder.length:
        docs.append(builder.done())
    return docs


def read_hipe(path: str | Path) -> list[GoldDocument]:
    """Documents of a HIPE-2020/2022 TSV file, with coarse literal types and Wikidata links."""
    path = Path(path)
    docs: list[GoldDocument] = []
    builder: _Builder | None = None
    language = "xx"
    columns: dict[str, int] = {}
    for line in _lines(path):
        if not line.strip():
            continue
        if line.startswith("TOKEN\t"):
            columns = {name: i for i, name in enumerate(line.rstrip("\n").split("\t"))}
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition("=")
            key, value = key.strip(), value.strip()
            if key.endswith("language"):
                language = value
                if builder is not None:
                    builder.doc.language = value
            elif key.endswith("document_id"):
                if builder is not None and builder.length:
                    docs.append(builder.done())
                builder = _Builder(path.stem, value, language)
            continue
        if not columns:
            raise InputError(f"{path}: no TOKEN header line: not a HIPE TSV file")
        cells = line.rstrip("\n").split("\t")
        builder = builder or _Builder(path.stem, f"{path.stem}-1", language)
        misc = cells[columns["MISC"]] if "MISC" in columns and len(cells) > columns["MISC"] else ""
        tag = cells[columns["NE-COARSE-LIT"]] if len(cells) > columns["NE-COARSE-LIT"] else "O"
        qid = cells[columns["NEL-LIT"]] if "NEL-LIT" in columns and len(cells) > columns["NEL-LIT"] else None
        builder.token(cells[0], tag, qid, space_after="NoSpaceAfter" not in misc)
        if "EndOfSentence" in misc:
            builder.sentence_end()
    if builder is not None and builder.length:
        docs.append(builder.done())
    return docs


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from handle
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text: {exc}") from exc


# -- systems ----------------------------------------------------------------------------------


def veille_spans(docs: list[GoldDocument]) -> list[list[Span]]:
    """The mentions of the entities Veille's pipeline finds (``verbatim`` → ``actors``, ``link``),
    with their coarse types and their entity's Wikidata id."""
    from .document import RawDocument, Source
    from .pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline(PipelineConfig(stages=("verbatim", "language", "nlp", "actors", "link")))
    raws = [RawDocument(source=Source(d.id, "text"), text=d.text, language=d.language) for d in docs]
    out: list[list[Span]] = []
    for record in pipeline.analyze_many(raws):
        spans = []
        if isinstance(record, dict):
            for entity in record["entities"]:
                kind = coarse(entity["type"] or "")
                if kind:
                    spans += [Span(m["start"], m["end"], kind, entity.get("kb_id")) for m in entity["mentions"]]
        out.append(spans)
    return out


def spacy_spans(docs: list[GoldDocument]) -> list[list[Span]]:
    """The entities of the bare spaCy model Veille loads for each document's language."""
    from .nlp import load_model

    out: list[list[Span]] = []
    for doc in docs:
        model = load_model(doc.language)
        parsed = model.nlp(doc.text) if not model.degraded else None
        out.append([Span(e.start_char, e.end_char, kind) for e in (parsed.ents if parsed is not None else ())
                    if (kind := coarse(e.label_))])
    return out


# -- scoring ----------------------------------------------------------------------------------


def score_spans(predicted: list[Span], gold: list[Span]) -> tuple[Counts, Counts]:
    """Strict and partial counts of one document (tn unused)."""
    strict, partial = Counts(), Counts()
    gold_keys = {(s.start, s.end, s.type) for s in gold}
    predicted_keys = {(s.start, s.end, s.type) for s in predicted}
    strict.tp = len(gold_keys & predicted_keys)
    strict.fp = len(predicted_keys - gold_keys)
    strict.fn = len(gold_keys - predicted_keys)
    used: set[int] = set()
    for p in sorted(predicted_keys):
        for i, g in enumerate(gold):
            if i not in used and g.type == p[2] and g.start < p[1] and p[0] < g.end:
                used.add(i)
                partial.tp += 1
                break
        else:
            partial.fp += 1
    partial.fn = len({(g.start, g.end, g.type) for i, g in enumerate(gold) if i not in used})
    return strict, partial


def evaluate_ner(folder: str | Path, limit: int | None = None, known_qids: set[str] | None = None) -> Evaluation:
    """Veille against bare spaCy on every corpus of ``folder`` (the first ``limit`` documents
    of each). Overall figures are strict micro-averages over all corpora; groups are
    ``<corpus>`` (strict), ``<corpus> partial`` and ``<corpus> <TYPE>`` (strict); ``details``
    hold the partial F1 and HIPE's linking accuracy."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of NER files (*.conllu, *hipe*.tsv)")
    corpora: list[list[GoldDocument]] = []
    for path in sorted(folder.glob("*.conllu")):
        found = re.search(r"(?:^|[-_.])([a-z]{2})(?=$|[-_.])", path.stem)  # "wikineural-fr-dev" → fr
        corpora.append(read_conll(path, found.group(1) if found else "en")[:limit])
    for path in sorted(folder.glob("*.tsv")):
        corpora.append(read_hipe(path)[:limit])
    corpora = [c for c in corpora if c]
    if not corpora:
        raise InputError(f"{folder}: no *.conllu or HIPE *.tsv files")
    if known_qids is None:
        known_qids = _known_qids()
    result = Evaluation("ner", items=0, negatives=False)
    partial_all = Evaluation("ner partial")
    links: dict[str, list[int]] = {s: [0, 0] for s in result.systems}  # right, asked
    for docs in corpora:
        corpus = docs[0].corpus
        result.items = (result.items or 0) + len(docs)
        predictions = {"veille": veille_spans(docs), "baseline": spacy_spans(docs)}
        for system, predicted in predictions.items():
            for doc, spans in zip(docs, predicted, strict=True):
                strict, partial = score_spans(spans, doc.spans)
                result.add_counts(system, strict, corpus)
                result.add_counts(system, partial, f"{corpus} partial", overall=False)
                partial_all.add_counts(system, partial)
                for kind in ("PER", "ORG", "LOC"):
                    typed, _ = score_spans([s for s in spans if s.type == kind], [g for g in doc.spans if g.type == kind])
                    result.add_counts(system, typed, f"{corpus} {kind}", overall=False)
                for g in doc.spans:
                    if g.qid and g.qid in known_qids:
                        links[system][1] += 1
                        links[system][0] += any(s.qid == g.qid and s.start < g.end and g.start < s.end for s in spans)
    for system in result.systems:
        result.details[system]["partial_f1"] = round(partial_all.overall[system].f1, 4)
        right, asked = links[system]
        result.details[system]["linking_accuracy"] = round(right / asked, 4) if asked else None
        result.details[system]["links_scored"] = asked
    result.details["veille"]["method"] = "pipeline verbatim → language → nlp → actors → link"
    result.details["baseline"]["method"] = "bare spaCy NER of the same model (none where Veille runs degraded)"
    return result


def _known_qids() -> set[str]:
    """The Wikidata ids Veille can link to: its actor table's and its starter knowledge base's."""
    from .actor_table import default_table
    from .kb import session

    qids = {a.kb_id for a in default_table().actors.values() if a.kb_id and re.fullmatch(r"Q\d+", a.kb_id)}
    qids |= {e["qid"] for e in session.knowledge_base(None).entities() if e.get("qid")}
    return qids
