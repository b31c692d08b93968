"""``auth``, ``phonenumber``, ``cloudbase``: users, phone numbers and CloudBase helpers."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry("auth.getPaidUnionId", "GET /wxa/getpaidunionid", "N", fields="openid:str! transaction_id:str mch_id:str out_trade_no:str"),
    entry("phonenumber.getPhoneNumber", "POST /wxa/business/getuserphonenumber", "O", fields="code:str! openid:str",
          title="exchanges the code from a getPhoneNumber button for the user's phone number"),
)
