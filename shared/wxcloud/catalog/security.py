"""``security`` and ``riskControl``: content safety and user risk."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry(
        "security.msgSecCheck",
        "POST /wxa/msg_sec_check",
        "N",
        fields="content:str! version:int scene:int openid:str title:str nickname:str signature:str",
        title="checks a text for risky content (version 2: scene and openid)",
    ),
    entry(
        "security.mediaCheckAsync",
        "POST /wxa/media_check_async",
        "N",
        fields="media_url:str! media_type:int! version:int scene:int openid:str",
        title="checks an image or audio file by URL; the result is pushed later",
    ),
    entry(
        "security.imgSecCheck",
        "POST /wxa/img_sec_check",
        "O",
        fields="media:file!",
        uploads="media",
        title="checks an uploaded image (version 1, no longer updated)",
    ),
    entry(
        "riskControl.getUserRiskRank",
        "POST /wxa/getuserriskrank",
        "N",
        fields="appid:str! openid:str! scene:int! mobile_no:str client_ip:str! email_address:str extended_info:str",
        title="a user's risk rank for a scene (sign-up, marketing)",
    ),
)
