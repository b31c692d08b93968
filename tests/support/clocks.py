"""Time and threads for tests that must not wait: an injected ``sleep`` that records, and callers
released together."""

from __future__ import annotations

import threading
from typing import Any


class Sleeps(list[float]):
    """An injected ``sleep`` that records instead of waiting, so retry tests run instantly."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run_at_once(count: int, work: Any) -> list[Any]:
    """``work(i)`` for i in range(count), in as many threads released together by a barrier."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
