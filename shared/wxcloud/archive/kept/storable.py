"""What every archive database can hold: the one rule an answer passes through before it is written.

SQLite, PostgreSQL and MariaDB do not refuse the same values, and a value one of them refuses
would make that database alone fail the period (or, before this rule, stop every run there). So
an answer is made storable the same way before any write, on every dialect, and the three hold
the same text and read back the same answer:

* U+0000 (NUL) becomes U+FFFD. PostgreSQL's ``text`` refuses NUL and its JSON functions refuse
  the ``\\u0000`` escape that ``json.dumps`` writes for it; SQLite and MariaDB would keep it;
* a lone UTF-16 surrogate (U+D800..U+DFFF, such as ``"\\ud800"``) becomes U+FFFD: no UTF-8
  encoder writes one, so every driver fails before the database even sees the row (the client
  already does the same to the surrogates of a reply);
* NaN and +-Infinity become ``null``: ``json.dumps`` would write ``NaN``/``Infinity``, which are
  not JSON; PostgreSQL's ``double precision`` keeps them, MariaDB refuses them, SQLite turns NaN
  into NULL (WeChat's replies never hold them: the client refuses a number beyond a double's
  range, as the SDK's parser does, so only a direct ``Archive.store`` can bring one);
* an integer too long for Python to write as text (over ``sys.get_int_max_str_digits()``
  digits) becomes ``null``.

Both object keys and values are cleaned (a key that is not a string is written as ``json.dumps``
writes it); everything else (every other character, integers of any length JSON can carry, key
order) is kept exactly as the cloud call returned it. The flat columns add their own limits on top
(``store.flat_rows``): an integer beyond 64 bits or a number beyond a double is NULL there, a text
is cut to its column's length.

Why not a library: the rule is the archive's own decision, a few lines over the JSON values.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ...errors import InvalidParameters

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_LONG_INT_BITS = 10_000  # about 3,000 digits: below Python's default limit of 4,300, so shorter ints skip the check


def storable_text(text: str) -> str:
    """``text`` with NUL and lone surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) else text


def storable(value: Any) -> Any:
    """``value`` (a cloud-call result or any part of one) as the archive writes it: the rule above
    applied throughout, in a copy. A value that is not JSON data (a ``set``, a ``Decimal``...) is
    -501007 naming its type."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _LONG_INT_BITS or _writable(value) else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {storable_text(key) if isinstance(key, str) else key: storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(item) for item in value]
    raise InvalidParameters(
        f"an archived result must be JSON data (objects, lists, strings, numbers, true, false, null), "
        f"not a {type(value).__name__}"
    )


def finite_float(value: Any) -> float | None:
    """A number as a finite float, or None for what no double column of the three databases holds
    alike (NaN, the infinities, an integer beyond a double's range) and for anything not a number
    (text, a bool): the flat tables' float columns, and the figures a report reads."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _writable(number: int) -> bool:
    try:
        str(number)
    except ValueError:
        return False
    return True
