"""The report's words in Chinese and English, and numbers written the way each language writes them.

One table per language, looked up by key, so a missing translation is a KeyError in the tests
rather than a blank on the page. Numbers: thousands separators in both; in Chinese, figures of
ten thousand and more in 万 (and 亿), as WeChat's console writes them; percentages with a sign
for changes. The fixed names of a portrait (genders, ages, "其他"), which WeChat answers in
Chinese whatever the language, have their English here too (``data_name``). Names that come
from the data (page paths, devices, cities) are cut to a readable length with an ellipsis
(``short``): an axis label or a table cell of a megabyte would bury the chart and swell the file.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {  # key -> (zh, en)
    "title": ("小程序数据报告", "Mini Program analytics report"),
    "overview": ("概况", "Overview"),
    "trends": ("趋势", "Trends"),
    "retention": ("留存", "Retention"),
    "sources": ("来源与访问分布", "Sources and visit distribution"),
    "pages": ("页面", "Pages"),
    "audience": ("用户画像", "Audience"),
    "newest_day": ("最新一天", "Newest day"),
    "visitUv": ("访问人数", "Visitors (UV)"),
    "visitPv": ("访问次数", "Page views (PV)"),
    "visitUvNew": ("新用户数", "New users"),
    "sessionCnt": ("打开次数", "Sessions"),
    "stayTimeUv": ("人均停留时长(秒)", "Stay time per user (s)"),
    "visitDepth": ("平均访问深度", "Visit depth"),
    "visitTotal": ("累计访问人数", "Cumulative visitors"),
    "vs_1": ("较前一日", "vs day before"),
    "vs_7": ("较7日前", "vs 7 days before"),
    "vs_30": ("较30日前", "vs 30 days before"),
    "daily": ("日", "Daily"),
    "weekly": ("周", "Weekly"),
    "monthly": ("月", "Monthly"),
    "daily_trend": ("每日访问", "Daily visits"),
    "weekly_trend": ("每周访问(周报告)", "Weekly visits (weekly report)"),
    "monthly_trend": ("每月访问(月报告)", "Monthly visits (monthly report)"),
    "retain_day": ("日留存", "Daily retention"),
    "retain_week": ("周留存", "Weekly retention"),
    "retain_month": ("月留存", "Monthly retention"),
    "audience_visitUvNew": ("新用户", "New users"),
    "audience_visitUv": ("活跃用户", "Active users"),
    "retained_visitUvNew": ("新用户", "new users"),  # after "Daily retention: ", mid-heading
    "retained_visitUv": ("活跃用户", "active users"),
    "cohort": ("日期", "Cohort"),
    "cohort_size": ("人数", "Users"),
    "key_day": ("{k}天后", "+{k} d"),
    "key_week": ("{k}周后", "+{k} wk"),
    "key_month": ("{k}月后", "+{k} mo"),
    "key_0": ("当期", "Cohort"),
    "not_yet": ("未到", "not yet"),
    "provisional_note": (
        "带 * 的格子为暂定值:微信仍会补全;灰色“未到”表示那一天尚未结束。",
        'Cells marked * are provisional: WeChat still fills them in; grey "not yet" cells are days not over yet.',
    ),
    "channels": ("访问来源(打开次数)", "Visit sources (sessions)"),
    "staytime": ("访问时长分布(打开次数)", "Stay time (sessions)"),
    "depth": ("访问深度分布(打开次数)", "Visit depth (sessions)"),
    "summed_days": ("{n} 天合计", "sum of {n} days"),
    "top_pages": ("受访页面(按访问次数)", "Top pages by page views"),
    "top_entries": ("入口页", "Top entry pages"),
    "top_exits": ("退出页", "Top exit pages"),
    "page_path": ("页面路径", "Page path"),
    "page_pv": ("访问次数", "PV"),
    "page_uv": ("访问人数", "UV"),
    "page_stay": ("次均时长(秒)", "Avg stay (s)"),
    "page_entries": ("入口次数", "Entries"),
    "page_exits": ("退出次数", "Exits"),
    "page_shares": ("分享次数", "Shares"),
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
    "genders": ("性别", "Gender"),
    "ages": ("年龄", "Age"),
    "platforms": ("平台", "Platform"),
    "devices": ("机型", "Device"),
    "others": ("其他", "Others"),
    "unnamed": ("(无名称)", "(no name)"),
    "portrait_of": ("画像区间 {period}", "Portrait of {period}"),
    "span_day": ("1天", "1 day"),
    "span_days": ("{n}天", "{n} days"),
    "span_choice": ("画像的天数", "Days of the portrait"),
    "footer_appid": ("AppID", "AppID"),
    "footer_range": ("范围", "Range"),
    "footer_made": ("生成时间", "Made at"),
    "footer_missing": ("缺少的周期", "Missing periods"),
    "footer_none_missing": ("无", "none"),
    "footer_unreadable": ("无法读取的报告", "Unreadable reports"),
    "unreadable_note": (
        "归档中有无法解析的结果,本报告未含这些报告",
        "the archive holds answers of these reports that cannot be decoded; they are left out",
    ),
    "footer_note": ("数据来自本地归档,离线可读。", "Data from your own archive; readable offline."),
    "staytime_1": ("0-2秒", "0-2 s"),
    "staytime_2": ("3-5秒", "3-5 s"),
    "staytime_3": ("6-10秒", "6-10 s"),
    "staytime_4": ("11-20秒", "11-20 s"),
    "staytime_5": ("21-30秒", "21-30 s"),
    "staytime_6": ("31-50秒", "31-50 s"),
    "staytime_7": ("51-100秒", "51-100 s"),
    "staytime_8": (">100秒", ">100 s"),
    "depth_1": ("1页", "1 page"),
    "depth_2": ("2页", "2 pages"),
    "depth_3": ("3页", "3 pages"),
    "depth_4": ("4页", "4 pages"),
    "depth_5": ("5页", "5 pages"),
    "depth_6": ("6-10页", "6-10 pages"),
    "depth_7": (">10页", ">10 pages"),
}


# The names WeChat gives a portrait's genders, ages and platforms (and "其他" among the devices),
# always in Chinese, in English; any other name (a province, a city, a device) is shown as WeChat
# gives it. The colours stay keyed by WeChat's name, so male is one colour in either language.
_NAMES_EN = {
    "男": "male",
    "女": "female",
    "未知": "unknown",
    "其他": "other",
    "17岁以下": "under 17",
    "18-24岁": "18-24",
    "25-29岁": "25-29",
    "30-39岁": "30-39",
    "40-49岁": "40-49",
    "50岁以上": "50+",
}

NAME_CHARS = 40  # a name on the axis of a chart the page's width (top pages, sources), or a heading
NARROW_CHARS = 20  # a name on a chart that shares its row (the audience's): a device or a city, not a paragraph
CELL_CHARS = 80  # a page path in a table
FULL_CHARS = 200  # a name where it is shown whole (a tooltip, a cell's title): still bounded


def short(name: str, limit: int = NAME_CHARS) -> str:
    """``name`` as shown: at most ``limit`` characters, the cut marked with an ellipsis."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def data_name(name: str, lang: Lang) -> str:
    """A name from WeChat's portrait as shown in ``lang``: translated where it is one of the fixed
    names WeChat answers in Chinese, else as WeChat gave it."""
    return _NAMES_EN.get(name, name) if lang == "en" else name


def text(key: str, lang: Lang, **values: object) -> str:
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def number(value: float, lang: Lang, decimals: int = 0) -> str:
    """``12,345`` / ``1.23万``; ``decimals`` for the figures that are averages (stay time, depth)."""
    if lang == "zh" and abs(value) >= 100_000_000:
        return f"{value / 100_000_000:,.2f}亿"
    if lang == "zh" and abs(value) >= 10_000:
        return f"{value / 10_000:,.2f}万"
    return f"{value:,.{decimals}f}"


def signed(value: float, lang: Lang, decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + number(value, lang, decimals)


def percent(ratio: float, *, sign: bool = False) -> str:
    shown = f"{ratio * 100:.1f}%"
    return ("+" + shown) if sign and ratio > 0 else shown
