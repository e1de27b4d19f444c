"""The accuracy gate: a fixed subset of each `veille eval` task, held to the floors of
tests/eval_floors.json (data nobody on the team wrote: the shared evaluation folder).

The gate needs that folder ($VEILLE_EVAL_DATA, else ../shared/eval-data next to the
repository). Without it the gate fails, unless VEILLE_EVAL_GATE=off says so on purpose
(`.ci/run` sets it, loudly, only on a machine without the data).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from veille.errors import ConfigError
from veille.evaluate import (
    eval_data_dir,
    evaluate_extraction,
    evaluate_names,
    evaluate_screening,
    read_name_pairs,
)

FLOORS = json.loads((Path(__file__).parent / "eval_floors.json").read_text(encoding="utf-8"))
TASKS = [task for task in FLOORS if not task.startswith("_")]


def _data() -> Path:
    try:
        return eval_data_dir()
    except ConfigError as exc:
        if os.environ.get("VEILLE_EVAL_GATE") == "off":
            pytest.skip(f"accuracy gate off (VEILLE_EVAL_GATE=off): {exc}")
        raise


def _run(task: str, root: Path, subset: dict) -> dict:
    if task == "names":
        return evaluate_names(read_name_pairs(root / "name-pairs" / "dev.csv")).to_dict()
    if task == "extraction":
        return evaluate_extraction(root / "extraction", limit=subset["limit"]).to_dict()
    if task == "ner":
        from veille.ner_eval import evaluate_ner

        return evaluate_ner(root / "ner", limit=subset["limit"]).to_dict()
    if task == "quotes":
        from veille.quotes_eval import evaluate_quotes

        return evaluate_quotes(root / "quotes" / "polnear" / "dev", limit=subset["limit"]).to_dict()
    if task == "events":
        from veille.events_eval import evaluate_events, read_event_sets

        sentences = (read_event_sets(root / "plover-gsr", subset["plover_limit"])
                     + read_event_sets(root / "events", subset["spanish_limit"]))
        return evaluate_events(sentences).to_dict()
    if task == "screening":
        return evaluate_screening(root / "screening", limit=subset["limit"]).to_dict()
    raise AssertionError(f"no runner for the task {task!r} of eval_floors.json")


@pytest.mark.parametrize("task", TASKS)
def test_accuracy_stays_above_the_pinned_floors(task):
    spec = FLOORS[task]
    figures = _run(task, _data(), spec["subset"])["veille"]
    low = {k: (figures.get(k), floor) for k, floor in spec.get("floors", {}).items()
           if figures.get(k) is None or figures[k] < floor}
    high = {k: (figures.get(k), ceiling) for k, ceiling in spec.get("ceilings", {}).items()
            if figures.get(k) is None or figures[k] > ceiling}
    assert not low and not high, f"{task}: below floors {low}, above ceilings {high} (measured, pinned)"


def test_every_task_of_veille_eval_is_gated():
    assert set(TASKS) == {"names", "extraction", "ner", "quotes", "events", "screening"}
