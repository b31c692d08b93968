"""One generated file of the checkout: written, or checked against what its generator gives.

Why it exists: the generators (``openapi_docs``: ``docs/openapi.md``; ``openapi_stubs``: the
``cloud.openapi`` type stub) end alike, write the text or with ``--check`` say whether the
committed file is current (exit 1 when it is not, writing nothing), and say it one way.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(out: Path, text: str, *, check: bool, prog: str, note: str = "") -> int:
    """Write ``text`` to ``out`` (then one line names it, with ``note`` after), or with ``check``
    compare it with the file there: 0 when current, 1 (said on stderr) when stale or missing.
    ``prog``: the generator's name, ``devtools/{prog}.py``, which the lines start with."""
    shown = out.relative_to(ROOT)
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current == text:
            return 0
        print(f"{prog}: {shown} is stale: run python devtools/{prog}.py", file=sys.stderr)
        return 1
    out.write_text(text, encoding="utf-8")
    print(f"{prog}: wrote {shown}{note}")
    return 0
