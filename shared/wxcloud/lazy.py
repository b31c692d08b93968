"""A value made on first use and then kept (after aws-powertools' module-level defaults): the
client of a function is built on its first invocation, so warm invocations reuse its connection
pool and token cache, and a failure to build it is not kept, so the next invocation tries again.

Concurrent first uses build it once; the others wait, each at most its own ``timeout`` (the time
its invocation has left), so a slow build never queues invocations behind one another. A waiter
that gets its turn after a failed build tries again itself, with what is left of its own budget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    def __init__(self, make: Callable[[], T] | None = None) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, make: Callable[[], T] | None = None, *, timeout: float | None = None) -> T:
        """The kept value, or ``make()`` (default: the one given at construction) run once for all
        concurrent callers. Raises ``TimeoutError`` when ``timeout`` seconds pass while another
        caller is still making it."""
        value = self._value
        if value is not None:
            return value
        if not self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            raise TimeoutError("still being made by another caller")
        try:
            value = self._value
            if value is None:
                build = make or self._make
                if build is None:
                    raise TypeError("Once.get() needs a make function")
                value = self._value = build()
            return value
        finally:
            self._lock.release()
