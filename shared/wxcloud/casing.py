"""Key-case conversion, ported line for line from wx-server-sdk 4.x ``utils.convertCase``.

Parity matters more than elegance here: callers port code that reads ``result["visitUvNew"]``,
so every quirk of the SDK's rule is kept, including the ones that look like bugs:

* camel -> snake: every ASCII capital becomes ``_`` + lower case, except at index 0
  (``ABC`` -> ``a_b_c``); snake_case keys pass unchanged.
* snake -> camel: every ``_`` followed by ``[a-z]`` becomes the upper-case letter
  (``a__b`` -> ``a_B``, ``_a`` -> ``A``, ``x_1`` stays).
* When two keys collide after conversion, the SDK's in-place loop decides the winner: it walks the
  keys in JavaScript property order (array-index keys ascending, then insertion order), writes
  ``data[converted] = data[key]`` (reading the value *at that moment*, possibly already
  overwritten) and deletes the old key. We replay that loop on a dict.
* Arrays: objects inside are converted, nested arrays only when recursive, scalars untouched.
  Values are never changed.

The differential test in ``tests/core/test_casing_differential.py`` runs the SDK's own function on
generated inputs and compares.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

Direction = Literal["camel_to_snake", "snake_to_camel"]

_CAPITAL = re.compile(r"[A-Z]")
_UNDERSCORE_LOWER = re.compile(r"_[a-z]")
_MAX_ARRAY_INDEX = 2**32 - 2  # ECMAScript array index: canonical integer string below 2**32 - 1


# Both conversions are pure functions of a short key, and a reply repeats the same few dozen keys
# call after call: cached, a warm call converts each of them once per process. Bounded, so a
# hostile event of unique keys costs no more than the conversion itself.
@functools.lru_cache(maxsize=4096)
def camel_to_snake(name: str) -> str:
    """``beginDate`` -> ``begin_date``; a capital at index 0 gets no underscore."""
    return _CAPITAL.sub(lambda m: ("_" if m.start() else "") + m.group().lower(), name)


@functools.lru_cache(maxsize=4096)
def snake_to_camel(name: str) -> str:
    """``stay_time_uv`` -> ``stayTimeUv``; only ``_`` + ``[a-z]`` is rewritten."""
    return _UNDERSCORE_LOWER.sub(lambda m: m.group()[1].upper(), name)


def as_written(name: str, body_case: Literal["snake", "camel"]) -> str:
    """The key a caller writes for the body field ``name``: camelCase, which the SDK turns into the
    snake_case WeChat reads, unless the body goes as written (``body_case="camel"``: ``name`` is
    already what WeChat reads). The demo's events, the stubs' and the docs' field lists say it alike."""
    return name if body_case == "camel" else snake_to_camel(name)


_KEY_CONVERTERS = {"camel_to_snake": camel_to_snake, "snake_to_camel": snake_to_camel}


def convert_keys(value: Any, direction: Direction, *, recursive: bool = True) -> Any:
    """Convert the keys of ``value`` (a JSON-like tree) the way the SDK does; values untouched.

    As in the SDK, a bare top-level string is itself converted (strings *inside* a tree are values
    and never are)."""
    if isinstance(value, str):
        return _KEY_CONVERTERS[direction](value)
    if isinstance(value, dict):
        return _convert_object(value, direction, recursive)
    if isinstance(value, list):
        return _convert_array(value, direction, recursive)
    return value


def _convert_array(items: list[Any], direction: Direction, recursive: bool) -> list[Any]:
    converted: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            converted.append(_convert_object(item, direction, recursive))
        elif isinstance(item, list) and recursive:
            converted.append(_convert_array(item, direction, recursive))
        else:
            converted.append(item)
    return converted


def _convert_object(source: dict[str, Any], direction: Direction, recursive: bool) -> dict[str, Any]:
    convert_key = _KEY_CONVERTERS[direction]
    # JSON keys are strings; a Python caller's other keys become strings, as JavaScript's would.
    data = _js_ordered(source if all(isinstance(k, str) for k in source) else {str(k): v for k, v in source.items()})
    for key in list(data):
        current = data[key]
        if recursive and isinstance(current, (dict, list)):
            current = convert_keys(current, direction, recursive=recursive)
        converted_key = convert_key(key)
        data[converted_key] = current
        if converted_key != key:
            del data[key]
    return _js_ordered(data)


def in_js_order(value: Any) -> Any:
    """``value`` with every object's keys in the order JavaScript enumerates them, as ``JSON.parse``
    builds them (array indices ascending, then the rest); keys and values untouched. What the SDK
    returns of a reply it does not convert (``convertCase: false``)."""
    if isinstance(value, dict):
        return _js_ordered({key: in_js_order(item) for key, item in value.items()})
    if isinstance(value, list):
        return [in_js_order(item) for item in value]
    return value


def _is_array_index(key: str) -> bool:
    return key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and int(key) <= _MAX_ARRAY_INDEX


def _js_ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Order keys as a JavaScript object enumerates them: array indices ascending, then the rest."""
    indices = sorted((k for k in data if _is_array_index(k)), key=int)
    if not indices:
        return dict(data)
    ordered = {k: data[k] for k in indices}
    ordered.update((k, v) for k, v in data.items() if not _is_array_index(k))
    return ordered
