"""``auth``, ``phonenumber``, ``cloudbase``: users, phone numbers and CloudBase helpers.

``cloudbase.getOpenData`` turns the ``cloudID`` a mini program got from an open-data API into that
data; the SMS helpers send through CloudBase's SMS service and need a CloudBase environment
(``env``). Fields not known for sure are left out: they pass through as the SDK sends them."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry(
        "auth.getPaidUnionId",
        "GET /wxa/getpaidunionid",
        "N",
        fields="openid:str! transaction_id:str mch_id:str out_trade_no:str",
        title="a paying user's UnionID, without their authorization",
    ),
    entry(
        "phonenumber.getPhoneNumber",
        "POST /wxa/business/getuserphonenumber",
        "O",
        fields="code:str! openid:str",
        title="exchanges the code from a getPhoneNumber button for the user's phone number",
    ),
    entry(
        "cloudbase.getOpenData",
        "POST /wxa/getopendata",
        "N",
        fields="openid:str cloudid_list:list!",
        query="openid",
        title="the open data behind cloudIDs a mini program obtained",
    ),
    entry(
        "cloudbase.getVoIPSign",
        "POST /wxa/getvoipsign",
        "N",
        fields="group_id:str timestamp:int nonce:str",
        title="the signature a mini program needs to join a VoIP call",
    ),
    entry(
        "cloudbase.sendSmsV2",
        "POST /tcb/sendsmsv2",
        "N",
        fields="env:str! phone_number_list:list! sms_type:str template_id:str template_param_list:list content:str "
        "path:str use_short_name:bool resource_appid:str",
        title="sends an SMS through CloudBase (templates, jump links to the mini program)",
    ),
    entry(
        "cloudbase.createSendSmsTask",
        "POST /tcb/createsendsmstask",
        "N",
        fields="env:str file_url:str template_id:str sms_type:str use_short_name:bool resource_appid:str",
        title="starts a bulk SMS task from an uploaded list of numbers",
    ),
    entry(
        "cloudbase.describeSmsRecords",
        "POST /tcb/describesmsrecords",
        "N",
        fields="env:str",
        title="lists the SMS CloudBase sent and their delivery states",
    ),
    entry(
        "cloudbase.report", "POST /tcb/cloudbasereport", "N", title="reports a CloudBase event (SMS jump-link visits)"
    ),
    entry(
        "cloudbase.getStatistics", "POST /tcb/getstatistics", "N", title="CloudBase usage statistics of an environment"
    ),
    entry(
        "cloudbase.describeExtensionUploadInfo",
        "POST /tcb/describeextensionuploadinfo",
        "N",
        title="where and how to upload a CloudBase extension's files",
    ),
)
