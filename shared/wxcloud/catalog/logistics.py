"""``logistics``: WeChat's logistics assistant (物流助手). The first twelve are the merchant's side
(waybills, accounts, printers); ``getContact``, ``previewTemplate``, ``updateBusiness`` and
``updatePath`` are the carrier's side."""

from __future__ import annotations

from .entry import entry

WAYBILL = "order_id:str! openid:str delivery_id:str! waybill_id:str!"
PARTIES = "sender:obj! receiver:obj! cargo:obj! shop:obj! insured:obj! service:obj!"

ENTRIES = (
    entry(
        "logistics.addOrder",
        "POST /cgi-bin/express/business/order/add",
        "N",
        fields="add_source:int! order_id:str! openid:str delivery_id:str! biz_id:str! custom_remark:str tagid:int "
        f"wx_appid:str {PARTIES} expect_time:int",
        title="creates a waybill with a carrier",
    ),
    entry(
        "logistics.batchGetOrder",
        "POST /cgi-bin/express/business/order/batchget",
        "N",
        fields="order_list:list!",
        title="several waybills at once",
    ),
    entry(
        "logistics.bindAccount",
        "POST /cgi-bin/express/business/account/bind",
        "O",
        fields="type:str! biz_id:str! delivery_id:str! password:str remark_content:str",
        title="binds or unbinds a carrier account",
    ),
    entry(
        "logistics.cancelOrder",
        "POST /cgi-bin/express/business/order/cancel",
        "O",
        fields=WAYBILL,
        title="cancels a waybill",
    ),
    entry(
        "logistics.getAllAccount",
        "GET /cgi-bin/express/business/account/getall",
        "N",
        title="the carrier accounts bound to the mini program",
    ),
    entry(
        "logistics.getAllDelivery",
        "GET /cgi-bin/express/business/delivery/getall",
        "N",
        title="the carriers the logistics assistant supports",
    ),
    entry(
        "logistics.getOrder",
        "POST /cgi-bin/express/business/order/get",
        "O",
        fields="order_id:str! openid:str delivery_id:str! waybill_id:str print_type:int custom_remark:str",
        title="a waybill and its printable data",
    ),
    entry(
        "logistics.getPath",
        "POST /cgi-bin/express/business/path/get",
        "O",
        fields=WAYBILL,
        title="a waybill's tracking path",
    ),
    entry(
        "logistics.getPrinter",
        "GET /cgi-bin/express/business/printer/getall",
        "I",
        title="the configured printer operators",
    ),
    entry(
        "logistics.getQuota",
        "POST /cgi-bin/express/business/quota/get",
        "O",
        fields="delivery_id:str! biz_id:str!",
        title="an account's remaining waybill quota",
    ),
    entry(
        "logistics.testUpdateOrder",
        "POST /cgi-bin/express/business/test_update_order",
        "I",
        fields="biz_id:str! order_id:str! delivery_id:str! waybill_id:str! action_time:int! action_type:int! "
        "action_msg:str",
        title="test accounts only: moves a test waybill to a new state",
    ),
    entry(
        "logistics.updatePrinter",
        "POST /cgi-bin/express/business/printer/update",
        "O",
        fields="openid:str! update_type:str! tagid_list:str",
        title="adds or removes a printer operator",
    ),
    entry(
        "logistics.getContact",
        "POST /cgi-bin/express/delivery/contact/get",
        "N",
        fields="token:str! waybill_id:str!",
        title="carrier: the sender's and receiver's contacts of a waybill",
    ),
    entry(
        "logistics.previewTemplate",
        "POST /cgi-bin/express/delivery/template/preview",
        "N",
        fields="waybill_id:str! waybill_template:str! waybill_data:str! custom:obj!",
        title="carrier: previews a waybill print template",
    ),
    entry(
        "logistics.updateBusiness",
        "POST /cgi-bin/express/delivery/service/business/update",
        "N",
        fields="shop_app_id:str! biz_id:str! result_code:int! result_msg:str",
        title="carrier: answers a merchant's account application",
    ),
    entry(
        "logistics.updatePath",
        "POST /cgi-bin/express/delivery/path/update",
        "N",
        fields="token:str! waybill_id:str! action_time:int! action_type:int! action_msg:str",
        title="carrier: adds a tracking event to a waybill",
    ),
)
