"""Accuracy against labelled data: confusion counts, precision, recall and F1, per group.

Generic helpers (``prf``, ``Counts``, ``Evaluation``) used by ``veille eval``; each task adds a
small function that reads its gold file and fills an ``Evaluation`` (here: ``evaluate_names``
for name pairs).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, InputError

__all__ = [
    "BASELINE_THRESHOLD",
    "Counts",
    "Evaluation",
    "NamePair",
    "eval_data_dir",
    "evaluate_names",
    "levenshtein_baseline",
    "prf",
    "read_name_pairs",
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

    def __post_init__(self) -> None:
        for system in self.systems:
            self.overall.setdefault(system, Counts())
            self.details.setdefault(system, {})

    def add(self, system: str, predicted: bool, gold: bool, group: str | None = None) -> None:
        self.overall[system].add(predicted, gold)
        if group is not None:
            counts = self.groups.setdefault(group, {s: Counts() for s in self.systems})
            counts[system].add(predicted, gold)

    @property
    def n(self) -> int:
        return self.overall[self.systems[0]].n

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"task": self.task, "n": self.n}
        out.update(self.extra)
        for system in self.systems:
            out[system] = {**self.overall[system].to_dict(), **self.details[system]}
        out["groups"] = {group: {"n": counts[self.systems[0]].n, **{s: counts[s].to_dict() for s in self.systems}}
                         for group, counts in sorted(self.groups.items())}
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
