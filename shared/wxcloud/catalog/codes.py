"""``wxacode``, ``urlscheme``, ``urllink``, ``shortlink``: Mini Program codes and links."""

from __future__ import annotations

from .entry import entry

ENTRIES = (
    entry("wxacode.createQRCode", "POST /cgi-bin/wxaapp/createwxaqrcode", "N", fields="path:str! width:int", reply="binary",
          title="a square QR code of a page (limited to 100,000 codes)"),
    entry("wxacode.get", "POST /wxa/getwxacode", "N",
          fields="path:str! width:int auto_color:bool line_color:obj is_hyaline:bool env_version:str", reply="binary",
          title="a Mini Program code of a page (limited to 100,000 codes)"),
    entry("wxacode.getUnlimited", "POST /wxa/getwxacodeunlimit", "N",
          fields="scene:str! page:str check_path:bool env_version:str width:int auto_color:bool line_color:obj is_hyaline:bool",
          reply="binary", title="a Mini Program code carrying a scene string (unlimited)"),
    entry("urlscheme.generate", "POST /wxa/generatescheme", "N",
          fields="jump_wxa:obj is_expire:bool expire_type:int expire_time:int expire_interval:int"),
    entry("urlscheme.query", "POST /wxa/queryscheme", "N", fields="scheme:str!"),
    entry("urlscheme.generateNFCScheme", "POST /wxa/generatenfcscheme", "N", fields="jump_wxa:obj model_id:str! sn:str"),
    entry("urllink.generate", "POST /wxa/generate_urllink", "N",
          fields="path:str query:str env_version:str is_expire:bool expire_type:int expire_time:int expire_interval:int cloud_base:obj"),
    entry("urllink.query", "POST /wxa/query_urllink", "N", fields="url_link:str!"),
    entry("shortlink.generate", "POST /wxa/genwxashortlink", "N", fields="page_url:str! page_title:str is_permanent:bool"),
)
