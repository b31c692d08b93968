"""WeChat's names of the visit sources of ``getVisitDistribution`` (``access_source_*`` keys).

The report shows sources by name, as WeChat's console does; the SQL views join the same table
(``views.py``, which the function's schema preparation runs: so this table lives beside the
archive, not in the report package that functions leave out), and a BI tool and the report agree. Source: WeChat's
documentation of getVisitDistribution, table "访问来源 key 对应关系 (index='access_source_session_cnt')" (keys 1..57,
10 is "other": every scene not listed). WeChat adds keys now and then: a key not in this table is
shown as its number, never dropped. English names are ours, close to the console's English UI.
"""

from __future__ import annotations

# key -> (Chinese name as documented, English name)
CHANNELS: dict[int, tuple[str, str]] = {
    1: ("小程序历史列表", "Recently used list"),
    2: ("搜索", "Search"),
    3: ("会话", "Chats"),
    4: ("扫一扫二维码", "Scan QR code"),
    5: ("公众号主页", "Official Account profile"),
    6: ("聊天顶部", "Top of chats"),
    7: ("系统桌面", "Home screen"),
    8: ("小程序主页", "Mini Program profile"),
    9: ("附近的小程序", "Nearby Mini Programs"),
    10: ("其他", "Other"),
    11: ("模板消息", "Template message"),
    12: ("客服消息", "Customer service message"),
    13: ("公众号菜单", "Official Account menu"),
    14: ("APP分享", "Shared from an app"),
    15: ("支付完成页", "Payment completed page"),
    16: ("长按识别二维码", "Long-press QR code"),
    17: ("相册选取二维码", "QR code from album"),
    18: ("公众号文章", "Official Account article"),
    19: ("钱包", "Wallet"),
    20: ("卡包", "Cards & offers"),
    21: ("小程序内卡券", "Card in a Mini Program"),
    22: ("其他小程序", "Another Mini Program"),
    23: ("其他小程序返回", "Back from another Mini Program"),
    24: ("卡券适用门店列表", "Card's store list"),
    25: ("搜索框快捷入口", "Search box shortcut"),
    26: ("小程序客服消息", "Mini Program customer service"),
    27: ("公众号下发", "Sent by an Official Account"),
    28: ("系统会话菜单", "Chat menu"),
    29: ("任务栏-最近使用", "Task bar: recently used"),
    30: ("长按小程序菜单圆点", "Long-press the menu dot"),
    31: ("连wifi成功页", "Wi-Fi connected page"),
    32: ("城市服务", "City services"),
    33: ("微信广告", "WeChat ads"),
    34: ("其他移动应用", "Other mobile apps"),
    35: ("发现入口-我的小程序", "Discover: my Mini Programs"),
    36: ("任务栏-我的小程序", "Task bar: my Mini Programs"),
    37: ("微信圈子", "WeChat Circles"),
    38: ("手机充值", "Mobile top-up"),
    39: ("H5", "H5 page"),
    40: ("插件", "Plug-in"),
    41: ("大家在用", "Popular with others"),
    42: ("发现页", "Discover page"),
    43: ("浮窗", "Floating window"),
    44: ("附近的人", "People nearby"),
    45: ("看一看", "Top Stories"),
    46: ("朋友圈", "Moments"),
    47: ("企业微信", "WeCom"),
    48: ("视频", "Channels video"),
    49: ("收藏", "Favorites"),
    50: ("微信红包", "Red packet"),
    51: ("微信游戏中心", "Game center"),
    52: ("摇一摇", "Shake"),
    53: ("公众号导购消息", "Official Account shopping message"),
    54: ("识物", "Scan to identify"),
    55: ("小程序订单", "Mini Program orders"),
    56: ("小程序直播", "Mini Program live"),
    57: ("群工具", "Group tools"),
}


def channel_name(key: int, lang: str) -> str:
    """The source's name in ``lang`` (zh or en); an unknown key as its number (#58)."""
    names = CHANNELS.get(key)
    if names is None:
        return f"#{key}"
    return names[0] if lang == "zh" else names[1]
