"""The search's C kernels (``veille/kb/_kernels.c``) give what their NumPy references in
``veille.kb.search`` give, to the bit, on random inputs shaped like a search's: posting lists
of a million-entity list, many ties (weights are a few logarithms), up to 11 key groups.

That a whole search finds the same with and without them is checked in ``test_kb.py``
(``test_the_compiled_modules_find_what_their_source_finds``: the source runs without them).
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import veille.kb.search as search
from veille.kb import native

if not native.built():  # (a build with VEILLE_PURE_PYTHON=1 set compiles nothing: nothing to compare)
    pytest.skip("veille.kb was installed without its compiled modules", allow_module_level=True)
kernels = importlib.import_module("veille.kb._kernels")

SIZE = 1_000_000


def _postings(rng: np.random.Generator, lists: int, longest: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Posting lists (ascending, distinct entities; some crowded in a small range, so that
    they share entities) packed in one int32 array, and their (start, n)."""
    parts, where, start = [], [], 0
    for _ in range(lists):
        n = int(rng.integers(0, longest + 1))
        span = int(rng.choice([n * 2 + 1, 5_000, SIZE]))
        chosen = np.unique(rng.integers(0, span, n)).astype(np.int32)
        parts.append(chosen)
        where.append((start, len(chosen)))
        start += len(chosen)
    return np.concatenate(parts) if parts else np.zeros(0, np.int32), where


def _weights(rng: np.random.Generator, n: int) -> list[float]:
    return [float(x) for x in rng.choice([0.7, 1.3, 2.25, 4.5, 6.1, float(np.log(7.0))], n)]


def _reference_cut(entities: np.ndarray, weights: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    if len(entities) > cap:
        kept = np.sort(search._ranked(np.add.reduce(weights, axis=1))[:cap])
        entities, weights = entities[kept], weights[kept]
    return entities, weights


def test_gather_merges_posting_lists_as_numpy_does():
    rng = np.random.default_rng(11)
    for trial in range(400):
        width = int(rng.integers(1, 8))
        postings, where = _postings(rng, int(rng.integers(1, 14)), 250)
        spans = [(start, n, int(rng.integers(0, width)), w)
                 for (start, n), w in zip(where, _weights(rng, len(where)), strict=True)]
        cap = int(rng.choice([5, 50, 200]))
        found, cells = kernels.gather(postings, spans, width, cap)
        entities, weights = np.frombuffer(found, np.int32), np.frombuffer(cells).reshape(-1, width)
        wanted = _reference_cut(*search._gather_numpy(postings, spans, width), cap)
        assert np.array_equal(entities, wanted[0]), trial
        assert weights.tobytes() == wanted[1].tobytes(), trial
        uncut = kernels.gather(postings, spans, width, 0)  # (no cut)
        assert bytes(uncut[0]) == search._gather_numpy(postings, spans, width)[0].tobytes()


def test_row_sums_are_numpys():
    rng = np.random.default_rng(12)
    for width in range(1, 12):
        weights = np.ascontiguousarray(rng.choice([0.0, 0.7, 1.3, 2.25, 1 / 3], (60, width)))
        for columns in range(min(width, 7) + 1):
            got = np.frombuffer(kernels.row_sums(weights, width, columns))
            assert got.tobytes() == np.add.reduce(weights[:, :columns], axis=1).tobytes()
            assert search._row_sums(weights, columns).tobytes() == got.tobytes()  # (what the search calls)
    with pytest.raises(ValueError):
        kernels.row_sums(np.zeros((3, 8)), 8, 8)  # (NumPy sums 8 or more pairwise: not the kernel's job)
    with pytest.raises(ValueError):
        kernels.row_sums(np.zeros(7), 2, 1)  # (not rows of 2)


def test_heaviest_rows_are_numpys():
    rng = np.random.default_rng(13)
    for trial in range(600):
        n = int(rng.integers(0, 500))
        totals = rng.choice([0.5, 1.0, 2.0, 2.5, 3.25, 7.0], n) if trial % 2 else rng.random(n) * 9
        split = int(rng.integers(0, n + 1))
        got = np.frombuffer(kernels.heaviest(totals, split, search.CANDIDATES, search.CREDITED), np.int32)
        wanted = search._heaviest_numpy(totals, split)
        # (the same rows: in which order they are credited does not matter)
        assert sorted(got.tolist()) == sorted(wanted.tolist()), trial


def test_credit_raises_the_weights_numpy_raises():
    rng = np.random.default_rng(14)
    for trial in range(300):
        width = int(rng.integers(1, 9))
        postings, where = _postings(rng, 4, 3_000)
        entities = np.unique(np.concatenate([rng.integers(0, SIZE, 150), postings[rng.integers(0, len(postings), 50)]]
                                            if len(postings) else rng.integers(0, SIZE, 150))).astype(np.int32)
        rng.shuffle(entities)  # (seeded candidates come after the others: not in entity order)
        weights = np.ascontiguousarray(rng.choice([0.0, 0.9, 2.0, 3.5], (len(entities), width)))
        rows = np.unique(rng.integers(0, len(entities), int(rng.integers(0, len(entities) + 1)))).astype(np.int32)
        lists = [(start, n, [(int(rng.integers(0, width)), w) for w in _weights(rng, 2)]) for start, n in where]
        wanted = weights.copy()
        search._credit_numpy(postings, lists, entities, wanted, rows)
        for start, n, credits in lists:
            kernels.credit(postings, start, n, entities, rows, weights, credits)
        assert weights.tobytes() == wanted.tobytes(), trial


def test_first_common_is_numpys():
    rng = np.random.default_rng(15)
    for trial in range(300):
        postings, where = _postings(rng, 2, 20_000)
        (a, na), (b, nb) = where
        values, others = postings[a:a + na], postings[b:b + nb]
        k = int(rng.choice([0, 1, 7, 200]))
        got = np.frombuffer(kernels.first_common(values, others, k), np.int32)
        assert np.array_equal(got, search._first_common_numpy(values, others, k)), trial
        assert np.array_equal(np.frombuffer(kernels.first_common(values, values, k), np.int32), values[:k])


def test_kernels_refuse_what_they_cannot_read():
    with pytest.raises(TypeError):
        kernels.gather(np.zeros(4, np.int64), [], 1, 0)  # (postings are int32)
    with pytest.raises(ValueError):
        kernels.gather(np.zeros(4, np.int32), [(2, 5, 0, 1.0)], 1, 0)  # (past the end)
    with pytest.raises(ValueError):
        kernels.gather(np.zeros(4, np.int32), [(0, 2, 3, 1.0)], 2, 0)  # (no group 3 of 2)
    with pytest.raises(ValueError):
        kernels.credit(np.zeros(4, np.int32), 0, 4, np.zeros(2, np.int32), np.array([5], np.int32),
                       np.zeros((2, 1)), [(0, 1.0)])  # (no row 5)
    with pytest.raises(TypeError):
        kernels.credit(np.zeros(4, np.int32), 0, 4, np.zeros(2, np.int32), np.zeros(1, np.int32),
                       np.zeros((2, 1)).copy().astype(np.float32), [(0, 1.0)])  # (weights are float64)


def test_keep_ranks_filters_and_floors_as_numpy_does():
    rng = np.random.default_rng(16)
    size = 5_000
    for trial in range(600):
        n = int(rng.integers(1, 400))
        candidates = rng.choice(size, n, replace=False).astype(np.int32)
        # (many ties; parts' weights often 0: the floor then weighs the whole name's keys)
        weights = rng.choice([0.5, 1.0, 2.0, 2.5, 4.0, 7.25], n) + rng.choice([0.0, 0.0, 0.1], n)
        parts_weights = np.where(rng.random(n) < 0.3, 0.0, weights * rng.choice([0.2, 0.6, 1.0], n))
        mask = rng.random(size) < float(rng.choice([0.0, 0.2, 0.9, 1.0])) if trial % 3 else None
        wanted = int(rng.choice([0, 1, 8, 14, 500]))
        got = kernels.keep(weights, parts_weights, candidates, mask, search.MIN_WEIGHT_SHARE, wanted)
        assert got == search._keep_numpy(weights, parts_weights, candidates, mask, search.MIN_WEIGHT_SHARE, wanted), trial
    with pytest.raises(ValueError):  # (a candidate the mask has no place for)
        kernels.keep(np.ones(1), np.ones(1), np.array([9], np.int32), np.ones(5, bool), 0.6, 3)
    with pytest.raises(TypeError):  # (a mask is bools)
        kernels.keep(np.ones(1), np.ones(1), np.array([0], np.int32), np.ones(5, np.int32), 0.6, 3)
