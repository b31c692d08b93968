"""``midas``: Mini Game virtual payment, the first version (米大师): balance, pay, cancel, present,
each also against the sandbox.

wx-server-sdk computes one field for these names: a ``cloud.signature({type: 'midas', params,
secret})`` value (a ``MidasSignature``) is replaced by the HMAC-SHA256 of the named parameters
sorted, ``org_loc`` (the path), ``method`` and the Midas secret. This port has no such object: the
caller computes the signatures and passes them as plain fields: ``sig`` as the SDK computes it,
and ``mp_sig``, which WeChat's HTTPS page asks for (HMAC-SHA256 with the user's session key over
the same parameters, ``access_token`` and ``sig``: the client puts its own token in the query
string, and ``mp_sig`` must be computed over that same token).
WeChat's second version (``/wxa/game/...``, ``pay_sig``) has no cloud-call name."""

from __future__ import annotations

from .entry import entry

USER = "openid:str! appid:str! offer_id:str! ts:int! zone_id:str! pf:str! user_ip:str"
SIGNED = "sig:str! mp_sig:str"
KINDS = {
    "getBalance": ("getbalance", "", "a user's game-currency balance"),
    "pay": (
        "pay",
        "amt:int! bill_no:str! pay_item:str app_remark:str",
        "takes game currency from a user (bill_no makes it idempotent)",
    ),
    "cancelPay": ("cancelpay", "bill_no:str! pay_item:str", "cancels a payment while its bill is valid"),
    "present": ("present", "bill_no:str! present_counts:int!", "gives a user game currency"),
}

ENTRIES = tuple(
    entry(
        f"midas.{name}{suffix}",
        f"POST /cgi-bin/midas/{folder}{path}",
        "S",
        fields=f"{USER} {extra} {SIGNED}",
        title=f"{where}{title}; the caller computes sig and mp_sig",
    )
    for name, (path, extra, title) in KINDS.items()
    for suffix, folder, where in (("", "", ""), ("Sandbox", "sandbox/", "sandbox: "))
)
