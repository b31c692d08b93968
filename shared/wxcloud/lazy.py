"""A value made on first use and then kept (after aws-powertools' module-level defaults): the
client of a function is built on its first invocation, so warm invocations reuse its connection
pool and token cache, and a failure to build it is not kept, so the next invocation tries again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:  # concurrent first uses build it once
                value = self._value
                if value is None:
                    value = self._value = self._make()
        return value
