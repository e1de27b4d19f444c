"""Python's cyclic garbage collector, paused during the knowledge base's bulk work.

Loading and searching allocate objects by the hundred thousand (read names, tokens, memoised
similarities, FollowTheMoney properties) and make no reference cycles: their objects are freed
by reference counting alone. Yet the collector runs every few hundred allocations and, as the
caches grow, visits the same long-lived objects again and again: with it on, a search of the
bench's 1M-entity list costs 40-50% more CPU and a load 20-25% more. ``paused`` turns it off
for a block and back on after it (if it was on).

Turned back on, the collector would first visit every object the block made and kept (the
caches: a million objects after a long search, 5% of its time). When no object is frozen
(``gc.freeze``, which pre-forking servers use), those objects are moved straight to the oldest
generation instead, with ``gc.freeze()`` then ``gc.unfreeze()`` (CPython's documented way to
do it): the next full collection, which the collector runs when the oldest generation has
grown by a quarter, visits them once.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Blocks may run at once in several threads (a program searching from a pool of threads): the
# collector is off while any runs, and comes back on (if it was on) when the last one ends.
_LOCK = threading.Lock()
_ACTIVE = 0
_RESTORE = False


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (reference counting still frees memory)."""
    global _ACTIVE, _RESTORE
    with _LOCK:
        if not _ACTIVE:
            _RESTORE = gc.isenabled()
            gc.disable()
        _ACTIVE += 1
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE -= 1
            if not _ACTIVE and _RESTORE:
                if not gc.get_freeze_count():
                    gc.freeze()  # (see the module's docstring)
                    gc.unfreeze()
                gc.enable()


def _after_fork() -> None:
    global _LOCK
    _LOCK = threading.Lock()  # (a process forked while another thread held it)


os.register_at_fork(after_in_child=_after_fork)
