"""``wxacode``, ``urlscheme``, ``urllink``, ``shortlink``: Mini Program codes and links. The three
code APIs answer the image itself (``reply="binary"``: ``{contentType, buffer}``); their errors
still come as JSON."""

from __future__ import annotations

from .entry import entry

EXPIRY = "is_expire:bool expire_type:int expire_time:int expire_interval:int"

ENTRIES = (
    entry(
        "wxacode.createQRCode",
        "POST /cgi-bin/wxaapp/createwxaqrcode",
        "N",
        fields="path:str! width:int",
        reply="binary",
        title="a square QR code of a page (limited to 100,000 codes)",
    ),
    entry(
        "wxacode.get",
        "POST /wxa/getwxacode",
        "N",
        fields="path:str! width:int auto_color:bool line_color:obj is_hyaline:bool env_version:str",
        reply="binary",
        title="a Mini Program code of a page (limited to 100,000 codes)",
    ),
    entry(
        "wxacode.getUnlimited",
        "POST /wxa/getwxacodeunlimit",
        "N",
        fields="scene:str! page:str check_path:bool env_version:str width:int auto_color:bool line_color:obj "
        "is_hyaline:bool",
        reply="binary",
        title="a Mini Program code carrying a scene string (unlimited)",
    ),
    entry(
        "urlscheme.generate",
        "POST /wxa/generatescheme",
        "N",
        fields=f"jump_wxa:obj {EXPIRY}",
        title="a URL Scheme (weixin://) that opens a page from SMS, e-mail or the web",
    ),
    entry(
        "urlscheme.query",
        "POST /wxa/queryscheme",
        "N",
        fields="scheme:str!",
        title="what a URL Scheme opens and until when",
    ),
    entry(
        "urlscheme.generateNFCScheme",
        "POST /wxa/generatenfcscheme",
        "N",
        fields="jump_wxa:obj model_id:str! sn:str",
        title="a URL Scheme for an NFC tag",
    ),
    entry(
        "urllink.generate",
        "POST /wxa/generate_urllink",
        "N",
        fields=f"path:str query:str env_version:str {EXPIRY} cloud_base:obj",
        title="a URL Link (https://wxaurl.cn/...) that opens a page",
    ),
    entry(
        "urllink.query",
        "POST /wxa/query_urllink",
        "N",
        fields="url_link:str!",
        title="what a URL Link opens and until when",
    ),
    entry(
        "shortlink.generate",
        "POST /wxa/genwxashortlink",
        "N",
        fields="page_url:str! page_title:str is_permanent:bool",
        title="a Short Link (#小程序://...) to share inside WeChat",
    ),
)
