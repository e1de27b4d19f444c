"""Accuracy against labelled data: confusion counts, precision, recall and F1, per group.

Generic helpers (``prf``, ``Counts``, ``Evaluation``) used by ``veille eval``; each task adds a
small function that reads its gold file and fills an ``Evaluation`` (here: ``evaluate_names``
for name pairs, ``evaluate_screening`` for a sanctions list with positive and negative names,
``evaluate_extraction`` for article bodies).

Conventions: precision is tp / (tp + fp), recall tp / (tp + fn), F1 their harmonic mean. A
ratio whose denominator is zero is 0.0 (no claim is no correct claim; nothing found of
something to find is no recall), except on an empty task, with nothing to find and nothing
claimed, where all three are 1.0.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, InputError

__all__ = [
    "BASELINE_THRESHOLD",
    "accuracy_report",
    "add_tokens",
    "Counts",
    "Evaluation",
    "NamePair",
    "eval_data_dir",
    "evaluate_extraction",
    "evaluate_names",
    "evaluate_screening",
    "levenshtein_baseline",
    "prf",
    "read_name_pairs",
    "read_screening_names",
    "text_tokens",
]

#: plain Levenshtein ratio (rapidfuzz ``fuzz.ratio`` / 100 on lower-cased names) at or above
#: which the baseline calls two names a match: a common "near-duplicate" cut-off, fixed
#: beforehand, not tuned on any test set
BASELINE_THRESHOLD = 0.85

_ROOT = Path(__file__).resolve().parent.parent


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from confusion counts (see the module's conventions)."""
    if tp == fp == fn == 0:
        return 1.0, 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Counts:
    """Confusion counts of one system on one set (or group) of items."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return prf(self.tp, self.fp, self.fn)[2]

    @property
    def fpr(self) -> float:
        """False-positive rate: the share of the negatives claimed (0.0 without negatives)."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def to_dict(self) -> dict[str, float | int]:
        p, r, f = prf(self.tp, self.fp, self.fn)
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "fpr": round(self.fpr, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn}


@dataclass
class Evaluation:
    """Several systems scored on one labelled set, overall and per group of items."""

    task: str
    systems: tuple[str, ...] = ("veille", "baseline")
    overall: dict[str, Counts] = field(default_factory=dict)
    groups: dict[str, dict[str, Counts]] = field(default_factory=dict)
    #: more figures per system (speed, threshold...), merged into its JSON object
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: more top-level figures
    extra: dict[str, Any] = field(default_factory=dict)
    #: items evaluated, when they are not what the counts count (extraction counts words)
    items: int | None = None
    #: whether the counts have negatives (a false-positive rate); extraction's words do not
    negatives: bool = True

    def __post_init__(self) -> None:
        for system in self.systems:
            self.overall.setdefault(system, Counts())
            self.details.setdefault(system, {})

    def add(self, system: str, predicted: bool, gold: bool, group: str | None = None, overall: bool = True) -> None:
        """Count one item (``overall``: in the overall figures too, not only in ``group``'s:
        False for a group that is a subset of others)."""
        if overall:
            self.overall[system].add(predicted, gold)
        if group is not None:
            counts = self.groups.setdefault(group, {s: Counts() for s in self.systems})
            counts[system].add(predicted, gold)

    def add_counts(self, system: str, counts: Counts, group: str | None = None, overall: bool = True) -> None:
        """Add confusion counts made elsewhere (spans, words, quotes) to ``group``'s and, with
        ``overall``, to the overall figures."""
        targets = [self.overall[system]] if overall else []
        if group is not None:
            targets.append(self.groups.setdefault(group, {s: Counts() for s in self.systems})[system])
        for into in targets:
            into.tp += counts.tp
            into.fp += counts.fp
            into.fn += counts.fn
            into.tn += counts.tn

    @property
    def n(self) -> int:
        return self.items if self.items is not None else self.overall[self.systems[0]].n

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"task": self.task, "n": self.n}
        out.update(self.extra)
        for system in self.systems:
            out[system] = {**self._counts(self.overall[system]), **self.details[system]}
        out["groups"] = {group: {"n": counts[self.systems[0]].n, **{s: self._counts(counts[s]) for s in self.systems}}
                         for group, counts in sorted(self.groups.items())}
        return out

    def _counts(self, counts: Counts) -> dict[str, float | int]:
        out = counts.to_dict()
        if not self.negatives:
            del out["fpr"], out["tn"]
        return out

    def to_json(self) -> str:
        """One line of JSON: ``{"task", "n", <system>: {"precision", "recall", "f1", ...}, "groups"}``."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


# --- where the labelled data lives ------------------------------------------------------------

def eval_data_dir() -> Path:
    """The folder of shared evaluation data: ``$VEILLE_EVAL_DATA``, else ``../shared/eval-data``
    next to the repository. Raises ConfigError when neither exists."""
    env = os.environ.get("VEILLE_EVAL_DATA")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise ConfigError(f"VEILLE_EVAL_DATA is {env!r}, which is not a folder: point it at the eval-data "
                              "folder (the one holding name-pairs/)")
        return path
    path = _ROOT.parent / "shared" / "eval-data"
    if not path.is_dir():
        raise ConfigError(f"no evaluation data: {path} does not exist. Give the file to evaluate, or set "
                          "VEILLE_EVAL_DATA to the eval-data folder")
    return path


# --- name pairs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class NamePair:
    group: str
    schema: str | None
    name1: str
    name2: str
    is_match: bool


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_COLUMNS = ("case_group", "schema", "name1", "name2", "is_match")


def read_name_pairs(path: str | Path) -> list[NamePair]:
    """Labelled name pairs from a CSV file with the columns ``case_group, schema, name1, name2,
    is_match`` (more columns are ignored), as in nomenklatura's name_bench."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}; a name-pair file has the "
                                 f"columns {', '.join(_COLUMNS)}")
            pairs = []
            for line, row in enumerate(reader, start=2):
                label = (row["is_match"] or "").strip().lower()
                if label not in _TRUE | _FALSE:
                    raise InputError(f"{path}, line {line}: is_match is {row['is_match']!r}, not true or false")
                pairs.append(NamePair((row["case_group"] or "").strip() or "-", (row["schema"] or "").strip() or None,
                                      row["name1"] or "", row["name2"] or "", label in _TRUE))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path} is not a UTF-8 CSV file: {exc}") from exc
    return pairs


def levenshtein_baseline(name1: str, name2: str) -> float:
    """The baseline's similarity: rapidfuzz ``fuzz.ratio`` on the lower-cased names, in 0..1."""
    from rapidfuzz import fuzz

    return fuzz.ratio(name1.lower(), name2.lower()) / 100.0


def evaluate_names(pairs: Iterable[NamePair], threshold: float | None = None,
                   baseline_threshold: float = BASELINE_THRESHOLD,
                   matcher: Callable[[str, list[str], str | None], float] | None = None) -> Evaluation:
    """Score each pair with Veille's matcher (``match(name1, [name2], schema)`` at ``threshold``,
    by default ``LINK_THRESHOLD``) and with the Levenshtein baseline, overall and per group."""
    from .kb import names as names_module

    if threshold is None:
        threshold = names_module.LINK_THRESHOLD
    if matcher is None:
        names_module.warm_up()  # rigour's name tagger loads once per process: not the speed measured

        def matcher(query: str, candidates: list[str], schema: str | None) -> float:
            return names_module.match(query, candidates, schema).score

    pairs = list(pairs)
    result = Evaluation("names")
    veille_s = baseline_s = 0.0
    for pair in pairs:
        start = time.perf_counter()
        score = matcher(pair.name1, [pair.name2], pair.schema)
        veille_s += time.perf_counter() - start
        result.add("veille", score >= threshold, pair.is_match, pair.group)
        start = time.perf_counter()
        similar = levenshtein_baseline(pair.name1, pair.name2)
        baseline_s += time.perf_counter() - start
        result.add("baseline", similar >= baseline_threshold, pair.is_match, pair.group)
    result.details["veille"].update(threshold=threshold, names_per_s=_rate(len(pairs), veille_s))
    result.details["baseline"].update(threshold=baseline_threshold, method="rapidfuzz fuzz.ratio, lower-cased",
                                      names_per_s=_rate(len(pairs), baseline_s))
    return result


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else 0.0


# --- screening against a sanctions list -------------------------------------------------------

#: the groups of a screening set: (group, file name pattern, positive)
SCREENING_FILES = (("untreated", "positives*untreated*.csv", True), ("treated", "positives*_treated*.csv", True),
                   ("negatives", "negatives*.csv", False))


def read_screening_names(path: str | Path, limit: int | None = None) -> list[str]:
    """The names of a screening CSV file: its ``full_name`` column, else first, middle and
    last name joined (the columns of yente's screening benchmark); the first ``limit``."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"full_name", "last_name"} & set(reader.fieldnames or []):
                raise InputError(f"{path}: no full_name or last_name column: a screening file has the columns "
                                 "full_name, first_name, middle_name, last_name, ...")
            names = []
            for row in reader:
                name = (row.get("full_name") or "").strip() or " ".join(
                    (row.get(c) or "").strip() for c in ("first_name", "middle_name", "last_name")).strip()
                if name:
                    names.append(" ".join(name.split()))
                if limit is not None and len(names) >= limit:
                    break
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path} is not a UTF-8 CSV file: {exc}") from exc
    return names


def evaluate_screening(folder: str | Path, limit: int | None = None, workers: int = 1) -> Evaluation:
    """Load the sanctions list of ``folder`` (its ``.xml`` file: the UN list, or an FtM
    ``.ftm.json``) into an in-memory knowledge base, screen the names of its positive files
    (``positives*untreated*.csv``, ``positives*_treated*.csv``: listed persons as queries,
    the treated copy with typos and reordered names) and of its negatives (``negatives*.csv``)
    as persons, and count a name with at least one hit as flagged. The baseline flags a name
    whose Levenshtein ratio to a listed person's name or alias is 0.85 or more.

    Per group: recall of the positives, false positives of the negatives (``fpr``: per name;
    ``hits_per_1000`` in ``extra``). Untreated positives whose name is on the list as it is
    (same words in any order) are counted apart (``untreated_in_list``): newer listings are not
    on an old list, and missing them is not the matcher's doing."""
    from rapidfuzz import fuzz, process

    from .kb import names as names_module
    from .store import open_store

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: a screening set is a folder with a sanctions list (.xml or "
                         ".ftm.json) and positives*.csv / negatives*.csv files")
    lists = sorted(folder.glob("*.xml")) or sorted(folder.glob("*.ftm.json"))
    if not lists:
        raise InputError(f"{folder}: no sanctions list (.xml or .ftm.json)")
    sets = {}
    for group, pattern, positive in SCREENING_FILES:
        found = sorted(p for p in folder.glob(pattern) if not (group == "treated" and "untreated" in p.name))
        if found:
            sets[group] = (read_screening_names(found[0], limit), positive)
    if not sets:
        raise InputError(f"{folder}: no positives*.csv or negatives*.csv files")
    result = Evaluation("screening")
    with open_store(":memory:") as store:
        kb = store.knowledge_base()
        start = time.perf_counter()
        stats = kb.load_file(lists[0])
        load_s = time.perf_counter() - start
        listed = [(n["name"], e["schema"]) for e in kb.entities() if e["schema"] == "Person"
                  for n in (kb.get(e["id"]) or {}).get("names", [])]
        listed_names = [name.lower() for name, _ in listed]
        words = {" ".join(sorted(names_module.normalise(name).split())) for name, _ in listed}
        veille_s = baseline_s = 0.0
        for group, (queries, positive) in sets.items():
            start = time.perf_counter()
            hits = kb.screen_many(queries, schema="Person", limit=1, workers=workers)
            veille_s += time.perf_counter() - start
            start = time.perf_counter()
            near = [process.extractOne(q.lower(), listed_names, scorer=fuzz.ratio, score_cutoff=85) for q in queries]
            baseline_s += time.perf_counter() - start
            for query, mine, theirs in zip(queries, hits, near, strict=True):
                result.add("veille", bool(mine), positive, group)
                result.add("baseline", theirs is not None, positive, group)
                if group == "untreated" and " ".join(sorted(names_module.normalise(query).split())) in words:
                    result.add("veille", bool(mine), positive, "untreated_in_list", overall=False)
                    result.add("baseline", theirs is not None, positive, "untreated_in_list", overall=False)
    n = sum(len(queries) for queries, _ in sets.values())
    result.extra.update(list=lists[0].name, entities=stats.read, load_s=round(load_s, 1))
    for system, seconds in (("veille", veille_s), ("baseline", baseline_s)):
        details = result.details[system]
        details["names_per_s"] = _rate(n, seconds)
        for group in result.groups:
            counts = result.groups[group][system]
            if group == "negatives":
                details["hits_per_1000_negatives"] = round(1000 * counts.fpr, 1)
            else:
                details[f"recall_{group}"] = round(counts.recall, 4)
    result.details["veille"]["threshold"] = names_module.SCREEN_THRESHOLD
    result.details["baseline"].update(threshold=BASELINE_THRESHOLD, method="rapidfuzz fuzz.ratio, lower-cased")
    return result


# --- article extraction -----------------------------------------------------------------------

_WORD = None


def text_tokens(text: str) -> Counter[str]:
    """The words of a text, case-folded, as a multiset: what extraction is scored on (the
    article-extraction benchmark's token precision and recall)."""
    import re

    global _WORD
    if _WORD is None:
        _WORD = re.compile(r"\w+")
    return Counter(_WORD.findall(text.casefold()))


def add_tokens(result: Evaluation, system: str, predicted: str, gold: str, group: str,
               overall: bool = True) -> float:
    """Count the words of ``predicted`` against those of ``gold`` (true positives: the words
    both have, as many times as both have them); returns this document's F1."""
    mine, theirs = text_tokens(predicted), text_tokens(gold)
    common = sum((mine & theirs).values())
    counts = Counts(tp=common, fp=sum(mine.values()) - common, fn=sum(theirs.values()) - common)
    result.add_counts(system, counts, group, overall)
    return counts.f1


def evaluate_extraction(folder: str | Path, limit: int | None = None) -> Evaluation:
    """Article bodies against ``ground-truth.json`` (``{id: {"articleBody"}}``) of ``folder``:

    * ``html``: each ``html/<id>.html(.gz)`` read by Veille (reader and cleaner: the body of
      the record) and, as the baseline, by trafilatura alone with its defaults;
    * ``text``: each page's whole visible text (``page-text.json``, ``{id: {"text"}}``)
      cleaned by Veille, against the text left as it is (the baseline).

    Token precision, recall and F1 summed over the documents (the overall figures are the
    HTML ones); ``details`` add the mean F1 per document of each group. A page Veille cannot
    read counts as an empty body."""
    import gzip

    import trafilatura

    from .clean import Cleaner
    from .document import Article
    from .errors import VeilleError
    from .read import read_bytes, read_text

    folder = Path(folder)
    truth = folder / "ground-truth.json"
    if not truth.is_file():
        raise InputError(f"{folder}: no ground-truth.json: an extraction set holds ground-truth.json, html/ and "
                         "page-text.json")
    try:
        gold = json.loads(truth.read_text(encoding="utf-8"))
        pages_file = folder / "page-text.json"
        pages = json.loads(pages_file.read_text(encoding="utf-8")) if pages_file.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{folder}: unreadable extraction set: {exc}") from exc
    cleaner = Cleaner()

    def body(raw: Any) -> str:
        try:
            return cleaner(Article(raw)).text
        except VeilleError:
            return ""

    result = Evaluation("extraction", negatives=False)
    per_doc: dict[tuple[str, str], list[float]] = {}
    failures = 0
    for doc_id in sorted(gold)[:limit]:
        article = gold[doc_id].get("articleBody") or ""
        html_path = next((p for p in (folder / "html" / f"{doc_id}.html.gz", folder / "html" / f"{doc_id}.html")
                          if p.is_file()), None)
        if html_path is not None:
            data = html_path.read_bytes()
            if html_path.suffix == ".gz":
                data = gzip.decompress(data)
            try:
                docs = [d for d in read_bytes(data, str(html_path), fmt="html") if not hasattr(d, "reason")]
                mine = body(docs[0]) if docs else ""
            except VeilleError:
                mine = ""
            failures += not mine
            theirs = trafilatura.extract(data) or ""
            per_doc.setdefault(("veille", "html"), []).append(add_tokens(result, "veille", mine, article, "html"))
            per_doc.setdefault(("baseline", "html"), []).append(
                add_tokens(result, "baseline", theirs, article, "html"))
        page = (pages.get(doc_id) or {}).get("text")
        if page:
            mine = body(read_text(page, f"{doc_id}.txt"))
            per_doc.setdefault(("veille", "text"), []).append(
                add_tokens(result, "veille", mine, article, "text", overall=False))
            per_doc.setdefault(("baseline", "text"), []).append(
                add_tokens(result, "baseline", page, article, "text", overall=False))
    for (system, group), scores in per_doc.items():
        result.details[system][f"mean_f1_{group}"] = round(sum(scores) / len(scores), 4)
        counts = result.groups[group][system]
        result.details[system][f"f1_{group}"] = round(counts.f1, 4)
    result.items = len(per_doc.get(("veille", "html"), [])) or len(per_doc.get(("veille", "text"), []))
    result.extra.update(unread=failures)
    result.details["veille"]["method"] = "Veille's reader and cleaner (the record's body)"
    result.details["baseline"]["method"] = "html: trafilatura.extract, defaults; text: the page text as it is"
    return result


# --- the accuracy report (veille eval all) -----------------------------------------------------

#: tasks of issue 4 that ``veille eval`` does not measure yet
NOT_YET: tuple[str, ...] = ()

_FIGURES = {  # per task: (key, label) of the figures shown, the main one first
    "names": (("f1", "F1"), ("precision", "precision"), ("recall", "recall"), ("names_per_s", "pairs/s")),
    "screening": (("recall_untreated", "recall, listed names"), ("recall_untreated_in_list", "recall, names on the list"),
                  ("recall_treated", "recall, misspelt or reordered"),
                  ("hits_per_1000_negatives", "hits per 1,000 unlisted"), ("f1", "F1"), ("names_per_s", "names/s")),
    "ner": (("f1", "strict F1"), ("precision", "precision"), ("recall", "recall"), ("partial_f1", "partial F1"),
            ("linking_accuracy", "Wikidata links"), ("links_scored", "links scored")),
    "quotes": (("f1", "F1"), ("precision", "precision"), ("recall", "recall"),
               ("speaker_accuracy", "speaker right"), ("speakers_scored", "speakers scored")),
    "events": (("f1", "F1"), ("type_accuracy", "type accuracy"), ("source_accuracy", "source accuracy"),
               ("target_accuracy", "target accuracy"), ("no_event_share", "sentences with no event")),
    "extraction": (("f1", "F1, HTML"), ("precision", "precision, HTML"), ("recall", "recall, HTML"),
                   ("f1_text", "F1, page text"), ("mean_f1_html", "mean F1 per page, HTML")),
}
_PER_GROUP = {  # tasks whose report adds F1 per group, and what the groups are
    "names": "Per case group (n: pairs):",
    "quotes": "Per publisher (n: quotes in the gold, found, or both):",
    "events": "Per set (n: events in the gold, coded, or both):",
    "ner": "Per corpus (strict), per corpus and type (strict) and per corpus with partial matches "
           "(n: mentions in the gold, found, or both):",
}
_WHAT = {
    "names": "Name matching on labelled pairs (name-pairs/dev.csv): Veille's matcher at the linking "
             "threshold; baseline: Levenshtein ratio >= 0.85 of the lower-cased names.",
    "screening": "Screening against the UN Security Council consolidated list of 2018 (screening/): listed "
                 "persons as they are written, the same with typos and reordered names, and unlisted names; "
                 "baseline: Levenshtein ratio >= 0.85 to a listed name.",
    "ner": "PER/ORG/LOC mentions on CoNLL-2003 (en), HIPE-2020 (fr, de, en; 19th/20th-century OCR) and "
           "WikiNEuRal (fr), micro-averaged over the corpora: Veille's actors stage; baseline: the bare spaCy NER "
           "of the same model (German has no model here: Veille runs degraded, the baseline finds nothing). "
           "Wikidata links: HIPE entities whose QID Veille knows.",
    "quotes": "Quotation contents and speakers on PolNeAR (84 English articles of the 2016 US election): a quote "
              "matches a gold content overlapping it by half of the longer of the two; speaker right when a mention "
              "of the speaker entity overlaps the gold source, or their texts contain one another. Baseline: text "
              "between quotation marks, nearest bare-spaCy PERSON/ORG of the paragraph as speaker.",
    "events": "Event types, sources and targets on the PLOVER gold records (English, PLOVER 0.5 types mapped; "
              "a pledged event counts as AGREE) and UniversalPetrarch's Spanish protest set (no Spanish model here: "
              "Veille runs degraded and codes nothing). Baseline: the set's most frequent type, first and second "
              "bare-spaCy entities as source and target.",
    "extraction": "Article bodies, word precision/recall/F1 summed over the pages of the article-extraction "
                  "benchmark (extraction/): from HTML (baseline: trafilatura alone, defaults) and from the page's "
                  "visible text (baseline: the text as it is).",
}


def accuracy_report(results: list[dict[str, Any]], date: str, commit: str | None) -> str:
    """``docs/accuracy.md``: a table per task (``Evaluation.to_dict`` of each), with the date
    and the commit measured."""
    lines = ["# Accuracy", "",
             f"Measured by `veille eval all` on {date}" + (f", commit `{commit}`" if commit else "") + ", on the "
             "development half of the shared evaluation data (data nobody on the team wrote). Each task runs a "
             "baseline in the same run. Reproduce with `veille eval TASK` (see `docs/cli.md`).", ""]
    for result in results:
        task = result["task"]
        figures = _FIGURES.get(task, (("f1", "F1"),))
        lines += [f"## {task}", "", _WHAT.get(task, ""), "", f"n = {result['n']:,}", "",
                  "| system | " + " | ".join(label for _, label in figures) + " |",
                  "|---|" + "---|" * len(figures)]
        for system in ("veille", "baseline"):
            values = result.get(system, {})
            cells = [_cell(values.get(key)) for key, _ in figures]
            lines.append(f"| {system} | " + " | ".join(cells) + " |")
        lines.append("")
        if task in _PER_GROUP and result.get("groups"):
            lines += [_PER_GROUP[task], "", "| group | n | veille F1 | baseline F1 |", "|---|---|---|---|"]
            for group, values in result["groups"].items():
                lines.append(f"| {group} | {values['n']:,} | {_cell(values['veille'].get('f1'))} | "
                             f"{_cell(values['baseline'].get('f1'))} |")
            lines.append("")
    if NOT_YET:
        lines += ["## Not measured yet", "", "No `veille eval` task yet: " + ", ".join(NOT_YET) + ".", ""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
