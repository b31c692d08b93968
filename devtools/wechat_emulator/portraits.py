"""getUserPortrait's figures: who a range's new and active users are.

Why it exists: a portrait is a breakdown of users the other reports count, so each of its
dimensions must add up to them: the active users of the range as
:func:`devtools.wechat_emulator.visits.figures` counts them (a day's ``visit_uv``; for 7 or 30
days the users of those days, counted once), and its new users. An app's audience is much the
same from day to day, so each dimension's mix is the app's own, varied a little per range; the new
users lean younger. New users are among the active ones, so no item has more new users than
active ones, and cities add up to their province. Standard library only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from devtools.wechat_emulator.visits import Unit, figures, split, split_capped

__all__ = ["user_portrait"]

_Label = tuple[int | None, str]  # (id, name); devices have no id
# Province and city ids are GB/T 2260 codes here; WeChat's own ids are not documented.
_PROVINCES: tuple[tuple[_Label, tuple[_Label, ...]], ...] = (
    ((44, "广东省"), ((4401, "广州"), (4403, "深圳"), (4419, "东莞"))),
    ((33, "浙江省"), ((3301, "杭州"), (3302, "宁波"))),
    ((32, "江苏省"), ((3201, "南京"), (3205, "苏州"))),
    ((11, "北京"), ((1101, "北京"),)),
    ((31, "上海"), ((3101, "上海"),)),
    ((51, "四川省"), ((5101, "成都"),)),
    ((37, "山东省"), ((3701, "济南"), (3702, "青岛"))),
    ((42, "湖北省"), ((4201, "武汉"),)),
)
_DIMENSIONS: tuple[tuple[str, tuple[_Label, ...]], ...] = (
    ("genders", ((0, "未知"), (1, "男"), (2, "女"))),
    ("platforms", ((1, "iPhone"), (2, "Android"), (3, "其他"))),
    (
        "devices",
        tuple(
            (None, name)
            for name in ("iPhone 15", "iPhone 13", "HUAWEI Mate 60", "OPPO Reno11", "vivo X100", "Xiaomi 14", "其他")
        ),
    ),
    (
        "ages",
        ((0, "未知"), (1, "17岁以下"), (2, "18-24岁"), (3, "25-29岁"), (4, "30-39岁"), (5, "40-49岁"), (6, "50岁以上")),
    ),
)
# How common each item is among a typical Mini Program's users; an app moves each by up to 40%.
_COMMON = {
    "genders": (0.04, 0.5, 0.46),
    "platforms": (0.46, 0.52, 0.02),
    "devices": (0.16, 0.12, 0.14, 0.12, 0.11, 0.12, 0.23),
    "ages": (0.04, 0.05, 0.2, 0.22, 0.28, 0.14, 0.07),
}
_NEW_LEAN = {"ages": (1.0, 1.6, 1.4, 1.2, 1.0, 0.8, 0.6)}  # new users are younger: weight per age, relative


def _labelled(labels: tuple[_Label, ...], values: list[int]) -> list[dict[str, Any]]:
    """Portrait items; ``id`` only where the label has one, zero values left out."""
    items = [
        ({} if ident is None else {"id": ident}) | {"name": name, "value": v}
        for (ident, name), v in zip(labels, values, strict=True)
    ]
    return [item for item in items if item["value"]]


class _Mix:
    """One app's audience, dimension by dimension, varied a little for one range."""

    def __init__(self, appid: str, ref: str) -> None:
        self._usual = Unit("portrait-mix", appid)
        self._today = Unit("portrait-range", appid, ref)

    def weights(self, count: int, common: tuple[float, ...] | None = None) -> list[int]:
        """The app's weights of ``count`` items (of the ``common`` mix, else its own), each moved
        by up to 5% for this range."""
        usual = (
            self._usual.weights(count)
            if common is None
            else [round(c * self._usual.between(0.6, 1.4) * 2**32) for c in common]
        )
        return [1 + round(weight * self._today.between(0.95, 1.05)) for weight in usual]


def _split_both(
    active: int, new: int, weights: list[int], lean: tuple[float, ...] | None = None
) -> tuple[list[int], list[int]]:
    """``active`` and ``new`` users in parts by ``weights`` (``lean`` tilts the new ones), no
    part of the new above the same part of the active."""
    actives = split(active, weights)
    tilted = weights if lean is None else [max(1, round(w * f)) for w, f in zip(weights, lean, strict=True)]
    return actives, split_capped(new, tilted, actives)


def user_portrait(appid: str, begin: date, end: date, ref: str) -> dict[str, Any]:
    """Who the range's new and active users are; totals as the visit trend counts the same days."""
    fig = figures(appid, begin, end)
    mix = _Mix(appid, ref)
    active: dict[str, list[dict[str, Any]]] = {}
    new: dict[str, list[dict[str, Any]]] = {}
    provinces = tuple(province for province, _ in _PROVINCES)
    active_provinces, new_provinces = _split_both(fig.visit_uv, fig.visit_uv_new, mix.weights(len(_PROVINCES)))
    active["province"], new["province"] = _labelled(provinces, active_provinces), _labelled(provinces, new_provinces)
    active["city"], new["city"] = [], []
    for (_, towns), active_users, new_users in zip(_PROVINCES, active_provinces, new_provinces, strict=True):
        active_towns, new_towns = _split_both(active_users, new_users, mix.weights(len(towns)))
        active["city"] += _labelled(towns, active_towns)
        new["city"] += _labelled(towns, new_towns)
    for dimension, labels in _DIMENSIONS:
        actives, news = _split_both(
            fig.visit_uv, fig.visit_uv_new, mix.weights(len(labels), _COMMON[dimension]), _NEW_LEAN.get(dimension)
        )
        active[dimension], new[dimension] = _labelled(labels, actives), _labelled(labels, news)
    return {"ref_date": ref, "visit_uv_new": new, "visit_uv": active}
