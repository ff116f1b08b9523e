"""`Executor.map` that submits only a few items ahead of the one being returned.

`Executor.map` submits every item at once, so a generator of request batches is turned
into all its batches in memory before the first is sent. Here at most `ahead` are
submitted and not yet returned: the threads stay busy and memory stays a few batches.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_bounded(pool: Executor, function: Callable[[T], R], items: Iterable[T], ahead: int) -> Iterator[R]:
    """The results in the items' order, like pool.map; the first failure is raised in its place."""
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= max(1, ahead):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:  # after a failure (or an abandoned iteration), as pool.map does
            future.cancel()
