"""What WeChat keeps between calls for an app: its media, its links and the codes it has spent.

Why apart: the answers (:mod:`devtools.wechat_emulator.answers`) are functions of a request and
of this state, and the state has rules of its own that tests rely on: a temporary media file lives
three days (then its ``media_id`` is 40007, by the emulator's clock), a permanent one until it is
deleted, a phone-number code is good once, and each app sees only its own. Thread-safe on its own
lock; nothing here knows HTTP.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devtools.wechat_emulator.values import ApiError

__all__ = ["TEMP_MEDIA_SECONDS", "Desk", "Link", "Media"]

TEMP_MEDIA_SECONDS = 3 * 86400  # WeChat keeps a temporary media file three days
_TICKET_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Media:
    """An uploaded file: temporary (``customerServiceMessage.uploadTempMedia``) or a material."""

    appid: str
    kind: str  # image, voice, video, thumb
    content_type: str
    data: bytes
    created_at: int
    fields: tuple[tuple[str, str], ...] = ()  # a video material's title and introduction


@dataclass(frozen=True)
class Link:
    """A URL scheme or URL link as generated: what ``urlscheme.query`` / ``urllink.query`` tell."""

    appid: str
    info: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.info)


class Desk:
    """The stores, with the emulator's clock (seconds since the epoch) and the words the content
    checks find risky."""

    def __init__(self, clock: Callable[[], float], risky_words: tuple[str, ...]) -> None:
        self.clock = clock
        self.risky_words = risky_words
        self._lock = threading.Lock()
        self._temp: dict[str, Media] = {}
        self._materials: dict[str, Media] = {}
        self._links: dict[str, Link] = {}
        self._spent_codes: set[tuple[str, str]] = set()

    def now(self) -> int:
        return int(self.clock())

    def forget(self) -> None:
        """Forget every file, link and spent code, as a new emulator would."""
        with self._lock:
            self._temp.clear()
            self._materials.clear()
            self._links.clear()
            self._spent_codes.clear()

    @staticmethod
    def media_id() -> str:
        """A new id in WeChat's form: 64 characters of letters, digits, ``-`` and ``_``."""
        return secrets.token_urlsafe(48)

    @staticmethod
    def ticket(length: int = 11) -> str:
        """The random part of a scheme or link (``weixin://dl/business/?t=<ticket>``)."""
        return "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(length))

    def keep_temp(self, media: Media) -> str:
        media_id = self.media_id()
        with self._lock:
            self._temp[media_id] = media
        return media_id

    def temp(self, appid: str, media_id: str) -> Media:
        """The app's temporary file ``media_id`` while it lives, else 40007."""
        with self._lock:
            media = self._temp.get(media_id)
        if media is None or media.appid != appid or self.now() >= media.created_at + TEMP_MEDIA_SECONDS:
            raise ApiError(40007, "invalid media_id")
        return media

    def keep_material(self, media: Media) -> str:
        media_id = self.media_id()
        with self._lock:
            self._materials[media_id] = media
        return media_id

    def material(self, appid: str, media_id: str, *, delete: bool = False) -> Media:
        """The app's material ``media_id`` (removed with ``delete``), else 40007."""
        with self._lock:
            media = self._materials.get(media_id)
            if media is None or media.appid != appid:
                raise ApiError(40007, "invalid media_id")
            if delete:
                del self._materials[media_id]
        return media

    def material_counts(self, appid: str) -> dict[str, int]:
        with self._lock:
            kinds = [media.kind for media in self._materials.values() if media.appid == appid]
        return {f"{kind}_count": kinds.count(kind) for kind in ("voice", "video", "image")} | {"news_count": 0}

    def keep_link(self, text: str, link: Link) -> None:
        with self._lock:
            self._links[text] = link

    def link(self, appid: str, text: str) -> Link | None:
        with self._lock:
            link = self._links.get(text)
        return link if link is not None and link.appid == appid else None

    def spend_code(self, appid: str, code: str) -> bool:
        """Spend a one-time code; False when it was spent before."""
        with self._lock:
            if (appid, code) in self._spent_codes:
                return False
            self._spent_codes.add((appid, code))
            return True
