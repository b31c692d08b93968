"""The catalogue: every cloud-callable WeChat API, by the name ``cloud.openapi`` reaches it, as data.

wx-server-sdk keeps no list of names: ``cloud.openapi.a.b(data)`` sends ``a.b`` to WeChat's cloud
gateway, and the gateway knows each name's method, path, query string, uploads and casing. A
port over plain HTTPS must carry that knowledge itself, so here it is, one ``entry`` per name in
the module of its family (``security.py``, ``codes.py``, ...), each with how its cloud-callability
is known (``entry.STATUSES``). Generic code reads the entries and has no branch for any one API.

Loaded lazily, a family at a time: a function that calls ``security.msgSecCheck`` imports the
security family on its first call and nothing else, and one that calls only the analysis reports
imports only theirs, so the catalogue costs a cold start nothing it does not use.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from .entry import Entry

__all__ = ["CLOSE", "FAMILIES", "SUGGESTED", "Entry", "entries", "find", "in_family", "names", "suggest"]

# The first segment of a name -> the module of its family.
FAMILIES: dict[str, str] = {
    "analysis": "analysis",
    "auth": "users",
    "phonenumber": "users",
    "cloudbase": "users",
    "customerServiceMessage": "messages",
    "subscribeMessage": "messages",
    "uniformMessage": "messages",
    "updatableMessage": "messages",
    "templateMessage": "messages",
    "wxacode": "codes",
    "urlscheme": "codes",
    "urllink": "codes",
    "shortlink": "codes",
    "security": "security",
    "riskControl": "security",
    "img": "images",
    "ocr": "images",
    "logistics": "logistics",
    "immediateDelivery": "delivery",
    "operation": "operations",
    "search": "operations",
    "serviceMarket": "operations",
    "soter": "operations",
    "redpacketcover": "operations",
    "pluginManager": "operations",
    "nearbyPoi": "operations",
    "liveBroadcast": "live",
    "midas": "midas",
    "officialAccount": "official",
}

_indexes: dict[str, dict[str, Entry]] = {}  # module -> its names (and aliases) -> entry


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def _index(module: str) -> dict[str, Entry]:
    index = _indexes.get(module)
    if index is None:
        index = {}
        for item in _module(module).ENTRIES:
            index[item.name] = item
            for alias in item.aliases:
                index[alias] = item
        _indexes[module] = index
    return index


def find(name: str) -> Entry | None:
    """The entry of ``name`` (or of an alias of it), importing its family on first use."""
    module = FAMILIES.get(name.partition(".")[0])
    return None if module is None else _index(module).get(name)


def entries() -> Iterator[Entry]:
    """Every entry, family by family, in declaration order (aliases once, under their entry)."""
    for module in dict.fromkeys(FAMILIES.values()):
        yield from _module(module).ENTRIES


def names() -> list[str]:
    """Every callable name, aliases included."""
    return [name for item in entries() for name in (item.name, *item.aliases)]


SUGGESTED = 3  # the closest names an unknown one is answered with
CLOSE = 0.7  # difflib's ratio from which a name within its namespace is close (a typo or two)


def suggest(name: str) -> list[str]:
    """The names closest to ``name`` (for the hint of an unknown one), regardless of case: those
    whose last segment is ``name``'s (``getDailyRetain`` finds ``analysis.getDailyRetain``), then
    those of its namespace spelt nearly alike (compared without the namespace, which would make
    every name of it look alike), or, when the namespace is unknown, the nearest names of all."""
    import difflib  # an unknown name is rare: a cold start does not pay for it

    every = names()
    namespace, _, tail = name.lower().rpartition(".")
    same = [known for known in every if known.rpartition(".")[2].lower() == tail and known != name]
    if namespace in {family.lower() for family in FAMILIES}:
        tails = {
            known.rpartition(".")[2].lower(): known for known in every if known.rpartition(".")[0].lower() == namespace
        }
        near = [tails[found] for found in difflib.get_close_matches(tail, list(tails), n=SUGGESTED, cutoff=CLOSE)]
    else:
        near = difflib.get_close_matches(name, every, n=SUGGESTED, cutoff=0.6)
    return list(dict.fromkeys([*same, *near]))[:SUGGESTED]


def in_family(name: str) -> list[str]:
    """Every callable name of the namespace ``name`` begins with (``analysis.nope``: the analysis
    family's), aliases included; [] when it names no known namespace."""
    namespace = name.partition(".")[0]
    if namespace not in FAMILIES:
        return []
    return [known for known in names() if known.partition(".")[0] == namespace]
