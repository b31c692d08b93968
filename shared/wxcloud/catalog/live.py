"""``liveBroadcast``: Mini Program live streaming (rooms, goods, roles).

WeChat reads these bodies and query strings in camelCase (``roomId``, ``coverImg``, ``goodsInfo``),
so they go as written (``case="camel"``): the SDK's conversion would turn ``roomId`` into
``room_id``, which these endpoints do not read. Two read snake_case instead, and keep the SDK's
conversion: ``getLiveInfo`` (``room_id`` of a replay) and ``goodsInfo`` (``goods_ids``).

Names: the ``N`` ones are named on WeChat's current pages, the ``O`` ones on its older pages; the
``I`` ones follow the family's naming, with the paths WeChat's API lists give. WeChat's pages name
the goods calls in a room ``goodsSale`` (on or off sale) and ``goodsDelete`` (out of a room); the
goods-library delete (``/wxaapi/broadcast/goods/delete``) is not cloud-callable and not listed."""

from __future__ import annotations

from .entry import entry

ROOM = "roomId:int!"
ROOM_GOODS = "roomId:int! goodsId:int!"
ROOM_FIELDS = (
    "name:str coverImg:str startTime:int endTime:int anchorName:str anchorWechat:str subAnchorWechat:str "
    "createrWechat:str shareImg:str feedsImg:str isFeedsPublic:int type:int closeLike:int closeGoods:int "
    "closeComment:int closeReplay:int closeShare:int closeKf:int"
)
NEW_ROOM = (
    "name:str! coverImg:str! startTime:int! endTime:int! anchorName:str! anchorWechat:str! subAnchorWechat:str "
    "createrWechat:str shareImg:str! feedsImg:str isFeedsPublic:int type:int! closeLike:int closeGoods:int "
    "closeComment:int closeReplay:int closeShare:int closeKf:int"
)
ROOM_QUERY = "roomId:any!"  # a GET: a number or its digits read the same in a query string


ENTRIES = (
    entry(
        "liveBroadcast.createRoom",
        "POST /wxaapi/broadcast/room/create",
        "N",
        fields=NEW_ROOM,
        case="camel",
        title="creates a live room",
    ),
    entry(
        "liveBroadcast.editRoom",
        "POST /wxaapi/broadcast/room/editroom",
        "N",
        fields=f"id:int! {ROOM_FIELDS}",
        case="camel",
        title="edits a live room",
    ),
    entry(
        "liveBroadcast.getLiveInfo",
        "POST /wxa/business/getliveinfo",
        "N",
        fields="start:int! limit:int! action:str room_id:int",
        title="the live rooms, or a room's replays (action get_replay, room_id): snake_case, converted as the SDK "
        "converts",
    ),
    entry(
        "liveBroadcast.getPushUrl",
        "GET /wxaapi/broadcast/room/getpushurl",
        "N",
        fields=ROOM_QUERY,
        case="camel",
        title="a room's stream push address",
    ),
    entry(
        "liveBroadcast.getSharedCode",
        "GET /wxaapi/broadcast/room/getsharedcode",
        "I",
        fields=f"{ROOM_QUERY} params:str",
        case="camel",
        title="a room's share code and poster",
    ),
    entry(
        "liveBroadcast.deleteRoom",
        "POST /wxaapi/broadcast/room/deleteroom",
        "N",
        fields="id:int!",
        case="camel",
        title="deletes a live room",
    ),
    entry(
        "liveBroadcast.addGoods",
        "POST /wxaapi/broadcast/room/addgoods",
        "N",
        fields=f"ids:list! {ROOM}",
        case="camel",
        title="imports goods of the library into a room",
    ),
    entry(
        "liveBroadcast.addAssistant",
        "POST /wxaapi/broadcast/room/addassistant",
        "O",
        fields=f"{ROOM} users:list!",
        case="camel",
        title="adds room assistants",
    ),
    entry(
        "liveBroadcast.modifyAssistant",
        "POST /wxaapi/broadcast/room/modifyassistant",
        "O",
        fields=f"{ROOM} username:str! nickname:str!",
        case="camel",
        title="renames a room assistant",
    ),
    entry(
        "liveBroadcast.removeAssistant",
        "POST /wxaapi/broadcast/room/removeassistant",
        "I",
        fields=f"{ROOM} username:str!",
        case="camel",
        title="removes a room assistant",
    ),
    entry(
        "liveBroadcast.getAssistantList",
        "GET /wxaapi/broadcast/room/getassistantlist",
        "N",
        fields=ROOM_QUERY,
        case="camel",
        title="a room's assistants",
    ),
    entry(
        "liveBroadcast.addSubAnchor",
        "POST /wxaapi/broadcast/room/addsubanchor",
        "N",
        fields=f"{ROOM} username:str!",
        case="camel",
        title="adds a room's second anchor account",
    ),
    entry(
        "liveBroadcast.modifySubAnchor",
        "POST /wxaapi/broadcast/room/modifysubanchor",
        "I",
        fields=f"{ROOM} username:str!",
        case="camel",
        title="changes a room's second anchor account",
    ),
    entry(
        "liveBroadcast.deleteSubAnchor",
        "POST /wxaapi/broadcast/room/deletesubanchor",
        "O",
        fields=ROOM,
        case="camel",
        title="removes a room's second anchor account",
    ),
    entry(
        "liveBroadcast.getSubAnchor",
        "GET /wxaapi/broadcast/room/getsubanchor",
        "N",
        fields=ROOM_QUERY,
        case="camel",
        title="a room's second anchor account",
    ),
    entry(
        "liveBroadcast.updateFeedPublic",
        "POST /wxaapi/broadcast/room/updatefeedpublic",
        "I",
        fields="roomId:int id:int isFeedsPublic:int!",
        case="camel",
        title="opens or closes a room to WeChat's official listing",
    ),
    entry(
        "liveBroadcast.updateReplay",
        "POST /wxaapi/broadcast/room/updatereplay",
        "I",
        fields="roomId:int id:int closeReplay:int!",
        case="camel",
        title="turns a room's replay on or off",
    ),
    entry(
        "liveBroadcast.updateKF",
        "POST /wxaapi/broadcast/room/updatekf",
        "I",
        fields="roomId:int id:int closeKf:int!",
        case="camel",
        title="turns a room's customer service on or off",
    ),
    entry(
        "liveBroadcast.updateComment",
        "POST /wxaapi/broadcast/room/updatecomment",
        "N",
        fields="roomId:int id:int banComment:int!",
        case="camel",
        title="mutes or unmutes a room's comments",
    ),
    entry(
        "liveBroadcast.goodsSale",
        "POST /wxaapi/broadcast/goods/onsale",
        "N",
        fields=f"{ROOM_GOODS} onSale:int!",
        case="camel",
        title="puts goods in a room on or off sale",
    ),
    entry(
        "liveBroadcast.goodsDelete",
        "POST /wxaapi/broadcast/goods/deleteInRoom",
        "N",
        fields=ROOM_GOODS,
        case="camel",
        title="removes goods from a room",
    ),
    entry(
        "liveBroadcast.goodsPush",
        "POST /wxaapi/broadcast/goods/push",
        "O",
        fields=ROOM_GOODS,
        case="camel",
        title="pushes goods to a room's viewers",
    ),
    entry(
        "liveBroadcast.goodsSort",
        "POST /wxaapi/broadcast/goods/sort",
        "N",
        fields=f"{ROOM} goods:list!",
        case="camel",
        title="orders the goods of a room",
    ),
    entry(
        "liveBroadcast.goodsVideo",
        "POST /wxaapi/broadcast/goods/getVideo",
        "N",
        fields=ROOM_GOODS,
        case="camel",
        title="the link of a goods' explanation video",
    ),
    entry(
        "liveBroadcast.goodsAdd",
        "POST /wxaapi/broadcast/goods/add",
        "N",
        fields="goodsInfo:obj!",
        case="camel",
        title="adds goods to the library and submits them for review",
    ),
    entry(
        "liveBroadcast.goodsResetAudit",
        "POST /wxaapi/broadcast/goods/resetaudit",
        "O",
        fields="goodsId:int! auditId:int!",
        case="camel",
        title="withdraws goods from review",
    ),
    entry(
        "liveBroadcast.goodsAudit",
        "POST /wxaapi/broadcast/goods/audit",
        "N",
        fields="goodsId:int!",
        case="camel",
        title="submits withdrawn goods for review again",
    ),
    entry(
        "liveBroadcast.goodsUpdate",
        "POST /wxaapi/broadcast/goods/update",
        "N",
        fields="goodsInfo:obj!",
        case="camel",
        title="updates goods of the library",
    ),
    entry(
        "liveBroadcast.goodsInfo",
        "POST /wxa/business/getgoodswarehouse",
        "I",
        fields="goods_ids:list!",
        title="goods' information and review state (goods_ids: snake_case, converted as the SDK converts)",
    ),
    entry(
        "liveBroadcast.goodsList",
        "GET /wxaapi/broadcast/goods/getapproved",
        "N",
        fields="offset:any! limit:any! status:any!",
        case="camel",
        title="the library's goods in one review state",
    ),
    entry(
        "liveBroadcast.addRole",
        "POST /wxaapi/broadcast/role/addrole",
        "I",
        fields="username:str! role:int!",
        case="camel",
        title="gives a WeChat user a live-streaming role",
    ),
    entry(
        "liveBroadcast.deleteRole",
        "POST /wxaapi/broadcast/role/deleterole",
        "N",
        fields="username:str! role:int!",
        case="camel",
        title="takes a live-streaming role away",
    ),
    entry(
        "liveBroadcast.getRoleList",
        "GET /wxaapi/broadcast/role/getrolelist",
        "N",
        fields="role:any offset:any limit:any keyword:str",
        case="camel",
        title="the users with live-streaming roles",
    ),
)
