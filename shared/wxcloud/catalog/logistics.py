"""Filled in with the rest of the catalogue."""

from __future__ import annotations

from .entry import Entry

ENTRIES: tuple[Entry, ...] = ()
