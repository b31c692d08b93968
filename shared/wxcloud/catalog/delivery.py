"""``immediateDelivery``: same-city delivery (即时配送). Names and paths from WeChat's older pages;
that they are cloud-callable is inferred (``I``) from the older index, not read on a current page.
An order is named by the shop's ``shopid``, ``shop_order_id``, ``shop_no`` and its
``delivery_sign`` (a SHA1 of shopid + shop_order_id + appsecret, which the caller computes)."""

from __future__ import annotations

from .entry import entry

ORDER = "shopid:str! shop_order_id:str! shop_no:str! delivery_sign:str!"
NEW_ORDER = (
    f"{ORDER} delivery_id:str! openid:str! delivery_token:str sub_biz_id:str sender:obj! receiver:obj! cargo:obj! "
    "order_info:obj! shop:obj!"
)
CANCEL = f"{ORDER} delivery_id:str! waybill_id:str! cancel_reason_id:int! cancel_reason:str"
MOCK = "shopid:str! shop_order_id:str! action_time:int! order_status:int! action_msg:str"

ENTRIES = (
    entry(
        "immediateDelivery.abnormalConfirm",
        "POST /cgi-bin/express/local/business/order/confirm_return",
        "I",
        fields=f"{ORDER} waybill_id:str! remark:str",
        title="confirms that goods of a failed delivery came back",
    ),
    entry(
        "immediateDelivery.addOrder",
        "POST /cgi-bin/express/local/business/order/add",
        "I",
        fields=NEW_ORDER,
        title="places a delivery order",
    ),
    entry(
        "immediateDelivery.addTip",
        "POST /cgi-bin/express/local/business/order/addtips",
        "I",
        fields=f"{ORDER} waybill_id:str! openid:str! tips:num! remark:str",
        title="adds a tip to an order",
    ),
    entry(
        "immediateDelivery.bindAccount",
        "POST /cgi-bin/express/local/business/shop/add",
        "I",
        fields="delivery_id:str!",
        title="binds a delivery company's account",
    ),
    entry(
        "immediateDelivery.cancelOrder",
        "POST /cgi-bin/express/local/business/order/cancel",
        "I",
        fields=CANCEL,
        title="cancels an order",
    ),
    entry(
        "immediateDelivery.getAllImmeDelivery",
        "POST /cgi-bin/express/local/business/delivery/getall",
        "I",
        title="the delivery companies available",
    ),
    entry(
        "immediateDelivery.getBindAccount",
        "POST /cgi-bin/express/local/business/shop/get",
        "I",
        title="the delivery accounts bound to the mini program",
    ),
    entry(
        "immediateDelivery.getOrder",
        "POST /cgi-bin/express/local/business/order/get",
        "I",
        fields=ORDER,
        title="an order and its state",
    ),
    entry(
        "immediateDelivery.mockUpdateOrder",
        "POST /cgi-bin/express/local/business/test_update_order",
        "I",
        fields=MOCK,
        title="test accounts only: moves a test order to a new state",
    ),
    entry(
        "immediateDelivery.openDelivery",
        "POST /cgi-bin/express/local/business/open",
        "I",
        title="opens same-city delivery for the mini program",
    ),
    entry(
        "immediateDelivery.preAddOrder",
        "POST /cgi-bin/express/local/business/order/pre_add",
        "I",
        fields=NEW_ORDER,
        title="quotes a delivery order without placing it",
    ),
    entry(
        "immediateDelivery.preCancelOrder",
        "POST /cgi-bin/express/local/business/order/precancel",
        "I",
        fields=CANCEL,
        title="what cancelling an order would cost",
    ),
    entry(
        "immediateDelivery.realMockUpdateOrder",
        "POST /cgi-bin/express/local/business/realmock_update_order",
        "I",
        fields=f"{MOCK} delivery_sign:str",
        title="test accounts only: moves a real test order to a new state",
    ),
    entry(
        "immediateDelivery.reOrder",
        "POST /cgi-bin/express/local/business/order/readd",
        "I",
        fields=NEW_ORDER,
        title="places again an order that was cancelled",
    ),
    entry(
        "immediateDelivery.updateOrder",
        "POST /cgi-bin/express/local/delivery/update_order",
        "I",
        fields="wx_token:str! shopid:str! shop_order_id:str! shop_no:str waybill_id:str! action_time:int! "
        "order_status:int! action_msg:str wxa_path:str agent:obj expected_delivery_time:int",
        title="delivery company: reports an order's new state",
    ),
)
