"""Speed of the name matcher: ``match`` (one query against five names) and ``blocking_keys``.

    .venv/bin/python bench/names.py            # on tests/data/name_variants.csv
    .venv/bin/python bench/names.py PAIRS.csv  # any CSV of name pairs (name1, name2, schema)

Each pair of the file gives a query (name1) and five names: name2 and four names drawn from
other pairs (a fixed seed), as a knowledge-base entity's aliases would be, some like the
query, most not. Times are CPU time (``time.process_time``, steadier than wall time on a
shared machine), the best of ``--repeat`` runs, in microseconds per call:

* ``cold``: nothing seen before (every cache emptied): each name is read (rigour's analysis,
  transliteration, symbols), then scored;
* ``names read``: the names are read already (as a knowledge base's are, once), the scores
  and token similarities are not;
* ``scores cold``: the names are read and the similarities of their words known (a process
  that has been matching for a while), the scores of these name pairs are not;
* ``all cached``: the same query against the same names again.

rigour builds its name tagger once per process (seconds): ``warm_up`` runs before timing.
Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from veille.kb import names as N  # noqa: E402


def _clear(*, analysis: bool) -> None:
    N._cached_score.cache_clear()
    N._SIMS.clear()
    N._blocking_keys.cache_clear()
    if analysis:
        N._analyse.cache_clear()
        N._org_tokens.cache_clear()
        N.normalise.cache_clear()
        N._TOKENS.clear()


def _best(run: Callable[[], float], setup: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        setup()
        times.append(run())
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "tests" / "data" / "name_variants.csv"))
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measure; the best is kept")
    args = parser.parse_args()
    with open(args.path, encoding="utf-8", newline="") as handle:
        rows = [(r["name1"], r["name2"], r.get("schema") or None) for r in csv.DictReader(handle)]
    rng = random.Random(7)
    others = [r[1] for r in rows]
    work = [(query, [name, *rng.sample(others, 4)], schema) for query, name, schema in rows]
    names = sorted({n for _, candidates, _ in work for n in candidates} | {q for q, _, _ in work})

    N.warm_up()

    def match_all() -> float:
        start = time.process_time()
        for query, candidates, schema in work:
            N.match(query, candidates, schema)
        return (time.process_time() - start) / len(work) * 1e6

    def keys_all() -> float:
        start = time.process_time()
        for name in names:
            N.blocking_keys(name)
        return (time.process_time() - start) / len(names) * 1e6

    def read_all() -> None:
        _clear(analysis=True)
        for query, candidates, schema in work:
            kind = N._kind(schema, [query, *candidates])
            for name in (query, *candidates):
                N._analyse(name, kind)
        N._cached_score.cache_clear()
        N._SIMS.clear()

    figures = {
        "match_cold_us": _best(match_all, lambda: _clear(analysis=True), args.repeat),
        "match_names_read_us": _best(match_all, read_all, args.repeat),
        "match_scores_cold_us": _best(match_all, N._cached_score.cache_clear, args.repeat),
        "match_all_cached_us": _best(match_all, lambda: None, args.repeat),
        "blocking_keys_cold_us": _best(keys_all, lambda: _clear(analysis=True), args.repeat),
        "blocking_keys_cached_us": _best(keys_all, lambda: None, args.repeat),
    }
    print(f"{args.path}: {len(work)} queries against 5 names each; {len(names)} distinct names")
    print(f"{'measure':<34}{'us per call':>12}")
    for key, value in figures.items():
        print(f"{key.removesuffix('_us').replace('_', ' '):<34}{value:>12.1f}")
    print(json.dumps({"queries": len(work), "names": len(names), **{k: round(v, 1) for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
