"""Generated datasets, kept per process, so sandboxes started with the same settings start fast.

``generate(seed, tickets, anchor)`` is a pure function of its arguments, yet generating even a
small helpdesk takes tens of milliseconds, and a process that starts many sandboxes (a test
suite) generates the same few datasets again and again. A sandbox changes its dataset in place,
so each one needs its own objects: the first generation is kept serialised and every later
sandbox with those settings gets a copy deserialised from it, a fifth of the cost. Only small
datasets are kept, and only the most recently used few.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict

from .data import generate
from .records import Dataset

__all__ = ["fresh_dataset"]

#: larger datasets are generated every time (a copy of one would hold a lot of memory)
MAX_KEPT_TICKETS = 1000

#: how many serialised datasets a process keeps
MAX_KEPT = 16

_lock = threading.Lock()
_kept: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()


def fresh_dataset(seed: int, tickets: int, anchor: int) -> Dataset:
    """A dataset equal to ``generate(seed, tickets, anchor)`` that no one else holds."""
    if tickets > MAX_KEPT_TICKETS:
        return generate(seed, tickets, anchor)
    key = (seed, tickets, anchor)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is not None:
        dataset: Dataset = pickle.loads(kept)  # our own bytes, made just below
        return dataset
    dataset = generate(seed, tickets, anchor)
    serialised = pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        _kept[key] = serialised
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return dataset
