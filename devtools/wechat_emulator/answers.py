"""What WeChat answers a request it has read (:class:`~devtools.wechat_emulator.checks.Call`).

Why it exists: a call that reaches WeChat well-formed gets WeChat's answer, so the library's
reading of replies (JSON to camelCase, images to ``{contentType, buffer}``, errcodes to errors)
is tested against answers shaped like WeChat's. The most used endpoints answer realistically and
check what WeChat checks of them:

* ``security.msgSecCheck``: version 1 answers 87014 ``risky content`` for a risky word, version 2
  (which needs ``openid`` and a ``scene`` of 1-4) answers ``result{suggest,label}``, ``detail[]``
  and ``trace_id``, with ``suggest: risky`` for a risky word (the emulator's ``risky_words``);
  ``security.imgSecCheck`` answers 87014 for an image whose bytes hold a risky word;
* ``wxacode.*``: a real PNG, different per page, scene and app, in the width and colour asked;
  ``img.scanQRCode`` of one reads back what it was made of;
* ``subscribeMessage.send`` (touser, template_id, data of ``{"value": ...}``, the states and
  languages WeChat knows), ``urlscheme.*`` and ``urllink.*`` (generated, then queried back, expiring
  within WeChat's 30 days), ``shortlink.generate``, ``phonenumber.getPhoneNumber`` (a number that
  depends on the code, a watermark of now, each code good once), the media upload and download
  (the same bytes back by ``media_id``, three days), the Official Account materials, and plausible
  ``img.*`` / ``ocr.*`` replies for an upload or an ``img_url``, ``analysis.getPerformanceData``.

Every other endpoint answers ``{"errcode": 0, "errmsg": "ok"}``, or a placeholder PNG where WeChat
answers a file. Nothing answers from the future: times are the emulator's clock, performance data
stops at the last day that is over in Beijing. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from devtools.wechat_emulator.checks import Call, Upload
from devtools.wechat_emulator.desk import Desk, Link, Media
from devtools.wechat_emulator.images import code_image, png_size, png_text, sniff
from devtools.wechat_emulator.values import ApiError

__all__ = ["Image", "answer"]

_BEIJING = timezone(timedelta(hours=8))
_LINK_DAYS = 30  # schemes and URL links expire within 30 days of their creation
_SCENE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$&'()*+,/:;=?@-._~")
_ENV_VERSIONS = ("release", "trial", "develop")
_MEDIA_KINDS = ("image", "voice", "video", "thumb")


@dataclass(frozen=True)
class Image:
    """A binary success: the bytes and their content type."""

    content_type: str
    data: bytes


Answer = dict[str, Any] | Image
Handler = Callable[[Desk, Call], Answer]


def answer(desk: Desk, call: Call) -> Answer:
    """The success WeChat answers ``call`` with (the server adds ``errcode: 0, errmsg: ok`` to a
    JSON one), or the ``ApiError`` it refuses it with."""
    handler = _HANDLERS.get(call.endpoint.path)
    if handler is not None:
        return handler(desk, call)
    if call.endpoint.reply == "bin":
        return Image("image/png", code_image(call.endpoint.path.encode(), 64, text=call.endpoint.path))
    return {}


# ---- small readers ------------------------------------------------------------------------------


def _format(hint: str) -> ApiError:
    return ApiError(47001, f"data format error hint: [{hint}]")


def _str(call: Call, name: str, *, required: bool = False, source: dict[str, Any] | None = None) -> str | None:
    value = (call.body if source is None else source).get(name)
    if value is None:
        if required:
            raise _format(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise _format(f"{name} must be a string")
    return value


def _int(call: Call, name: str, default: int | None = None) -> int | None:
    value = call.body.get(name, default)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _format(f"{name} must be an integer")


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()


def _number(seed: bytes, low: int, high: int) -> int:
    """A deterministic number in ``low..high`` from a digest."""
    return low + int.from_bytes(seed[:8], "big") % (high - low + 1)


def _trace_id(desk: Desk) -> str:
    token = Desk.ticket(16).encode()
    return f"{desk.now() & 0xFFFFFFFF:08x}-{_digest(token).hex()[:8]}-{_digest(token, 1).hex()[:8]}"


def _risky(desk: Desk, *texts: str | None) -> str | None:
    for text in texts:
        for word in desk.risky_words:
            if text and word and word in text:
                return word
    return None


# ---- security --------------------------------------------------------------------------------------


def _msg_sec_check(desk: Desk, call: Call) -> Answer:
    content = _str(call, "content", required=True)
    assert content is not None
    if len(content) > 2500:
        raise _format("content is longer than 2500 characters")
    version = _int(call, "version", 1)
    if version not in (1, 2):
        raise _format("version is 1 or 2")
    if version == 1:
        if _risky(desk, content):
            raise ApiError(87014, "risky content")
        return {}
    openid = _str(call, "openid")
    if not openid:
        raise ApiError(
            40003,
            "invalid openid hint: [version 2 needs the openid of a user who opened the Mini Program in the last 2 "
            "hours]",
        )
    if _int(call, "scene") not in (1, 2, 3, 4):
        raise _format("scene is 1 (profile), 2 (comment), 3 (forum) or 4 (social log)")
    word = _risky(desk, content, _str(call, "title"), _str(call, "nickname"), _str(call, "signature"))
    suggest, label = ("risky", 20006) if word else ("pass", 100)
    detail: list[dict[str, Any]] = [
        {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}
    ]
    if word:
        detail.append(
            {"strategy": "keyword", "errcode": 0, "suggest": suggest, "label": label, "level": 20, "keyword": word}
        )
    return {"result": {"suggest": suggest, "label": label}, "detail": detail, "trace_id": _trace_id(desk)}


def _img_sec_check(desk: Desk, call: Call) -> Answer:
    media = call.uploads["media"]
    if any(word and word.encode() in media.data for word in desk.risky_words):  # what the image "shows", in its bytes
        raise ApiError(87014, "risky content")
    return {}


def _media_check_async(desk: Desk, call: Call) -> Answer:
    _str(call, "media_url", required=True)
    if _int(call, "media_type") not in (1, 2):
        raise _format("media_type is 1 (audio) or 2 (image)")
    return {"trace_id": _trace_id(desk)}


def _user_risk_rank(desk: Desk, call: Call) -> Answer:
    seed = _digest(call.appid, call.body.get("openid"))
    return {"risk_rank": _number(seed, 0, 4), "unoin_id": _number(seed[8:], 10**8, 10**9)}  # sic: WeChat's "unoin_id"


# ---- Mini Program codes ----------------------------------------------------------------------------


def _env_version(call: Call, source: dict[str, Any] | None = None, *, code: int = 40097) -> str:
    env = _str(call, "env_version", source=source) or "release"
    if env not in _ENV_VERSIONS:
        raise ApiError(code, "invalid env_version hint: [release, trial or develop]")
    return env


def _code(desk: Desk, call: Call, carried: str) -> Answer:
    width = _int(call, "width", 430) or 430
    color = (0, 0, 0)
    line = call.body.get("line_color")
    if call.body.get("auto_color") is not True and isinstance(line, dict):
        try:
            red, green, blue = (min(255, max(0, int(line.get(part, 0)))) for part in "rgb")
        except (TypeError, ValueError):
            raise _format("line_color is {r, g, b} of 0-255") from None
        color = (red, green, blue)
    transparent = call.body.get("is_hyaline") is True
    seed = _digest(call.appid, carried).hex().encode()
    return Image(
        "image/png", code_image(seed, min(1280, max(280, width)), color=color, transparent=transparent, text=carried)
    )


def _page(value: str | None) -> None:
    if value is not None and (value.startswith("/") or "?" in value):
        raise ApiError(
            41030, "invalid page hint: [a page is a path like pages/index/index, without a leading / or a query]"
        )


def _code_unlimited(desk: Desk, call: Call) -> Answer:
    scene = _str(call, "scene", required=True) or ""
    if not 1 <= len(scene) <= 32 or not set(scene) <= _SCENE_CHARS:
        raise ApiError(40169, "invalid length for scene, or the data is not json string")
    page = _str(call, "page")
    _page(page)
    env = _env_version(call)
    return _code(desk, call, f"appid={call.appid}&page={page or ''}&scene={scene}&env_version={env}")


def _code_limited(desk: Desk, call: Call) -> Answer:
    path = _str(call, "path", required=True) or ""
    limit = 128 if call.endpoint.path.endswith("createwxaqrcode") else 1024
    if not path or len(path.encode()) > limit:
        raise ApiError(40159, "invalid length for path, or the data is not json string")
    env = _env_version(call) if "env_version" in call.body else "release"
    return _code(desk, call, f"appid={call.appid}&path={path}&env_version={env}")


# ---- schemes and links -----------------------------------------------------------------------------


def _expiry(desk: Desk, call: Call) -> int:
    """When a new scheme or link expires: what the call asks within WeChat's 30 days, else 30 days."""
    now = desk.now()
    if call.body.get("is_expire") is True and _int(call, "expire_type", 0) == 1:
        interval = _int(call, "expire_interval")
        if interval is None or not 1 <= interval <= _LINK_DAYS:
            raise ApiError(85401, "invalid expire_interval hint: [1 to 30 days]")
        return now + interval * 86400
    if call.body.get("is_expire") is True:
        expire_time = _int(call, "expire_time")
        if expire_time is None or not now + 60 <= expire_time <= now + _LINK_DAYS * 86400:
            raise ApiError(85401, "invalid expire_time hint: [a time at least a minute and at most 30 days from now]")
        return expire_time
    return now + _LINK_DAYS * 86400


def _target(call: Call, source: dict[str, Any]) -> tuple[str, str, str]:
    path = _str(call, "path", source=source) or ""
    if path.startswith("/") or "?" in path:
        raise ApiError(40165, "invalid weapp pagepath hint: [a page like pages/index/index, its query apart]")
    query = _str(call, "query", source=source) or ""
    if len(query) > 1024:
        raise ApiError(40212, "invalid query hint: [at most 1024 characters]")
    return path, query, _env_version(call, source, code=85402)


def _keep(desk: Desk, call: Call, text: str, source: dict[str, Any], key: str) -> None:
    path, query, env = _target(call, source)
    info = {
        "appid": call.appid,
        "path": path,
        "query": query,
        "create_time": desk.now(),
        "expire_time": _expiry(desk, call),
        "env_version": env,
    }
    desk.keep_link(text, Link(call.appid, ((key, info),)))


def _scheme(desk: Desk, call: Call) -> Answer:
    jump = call.body.get("jump_wxa", {})
    if not isinstance(jump, dict):
        raise _format("jump_wxa is {path, query, env_version}")
    openlink = f"weixin://dl/business/?t={Desk.ticket()}"
    _keep(desk, call, openlink, jump, "scheme_info")
    return {"openlink": openlink}


def _nfc_scheme(desk: Desk, call: Call) -> Answer:
    _str(call, "model_id", required=True)
    jump = call.body.get("jump_wxa", {})
    openlink = f"weixin://dl/business/?t={Desk.ticket()}"
    _keep(desk, call, openlink, jump if isinstance(jump, dict) else {}, "scheme_info")
    return {"openlink": openlink}


def _url_link(desk: Desk, call: Call) -> Answer:
    url_link = f"https://wxaurl.cn/{Desk.ticket()}"
    _keep(desk, call, url_link, call.body, "url_link_info")
    return {"url_link": url_link}


def _query_link(desk: Desk, call: Call) -> Answer:
    name = "scheme" if call.endpoint.path == "/wxa/queryscheme" else "url_link"
    link = desk.link(call.appid, _str(call, name, required=True) or "")
    if link is None:
        raise ApiError(40097, f"invalid args hint: [no {name.replace('_', ' ')} of this app is {call.body[name]!r}]")
    quota = {"long_time_used": 0, "long_time_limit": 100000}
    return {**link.as_dict(), "visit_openid": "", f"{name}_quota": quota}


def _short_link(desk: Desk, call: Call) -> Answer:
    if not _str(call, "page_url", required=True):
        raise ApiError(40165, "invalid weapp pagepath")
    return {"link": f"#小程序://emulator/{Desk.ticket(7)}"}


# ---- messages --------------------------------------------------------------------------------------

_VALUE_LIMITS = {"thing": 20, "phrase": 5, "name": 10, "number": 32, "letter": 32, "symbol": 5, "character_string": 32}


def _subscribe_send(desk: Desk, call: Call) -> Answer:
    if not _str(call, "touser"):
        raise ApiError(40003, "invalid openid")
    if not _str(call, "template_id"):
        raise ApiError(40037, "invalid template_id")
    data = call.body.get("data")
    if not isinstance(data, dict) or not data:
        raise ApiError(47003, "argument invalid! data is empty")
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value:
            raise ApiError(47003, f"argument invalid! data.{key}.value is empty")
        kind = key.rstrip("0123456789")
        if kind in _VALUE_LIMITS and len(value) > _VALUE_LIMITS[kind]:
            raise ApiError(47003, f"argument invalid! data.{key}.value exceeds {_VALUE_LIMITS[kind]} characters")
    if call.body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
        raise ApiError(47003, "argument invalid! miniprogram_state is developer, trial or formal")
    if call.body.get("lang", "zh_CN") not in ("zh_CN", "en_US", "zh_HK", "zh_TW"):
        raise ApiError(47003, "argument invalid! lang is zh_CN, en_US, zh_HK or zh_TW")
    return {"msgid": _number(_digest(call.appid, Desk.ticket()), 10**18, 9 * 10**18)}


# ---- phone numbers ---------------------------------------------------------------------------------


def _phone_number(desk: Desk, call: Call) -> Answer:
    code = _str(call, "code")
    if not code or len(code) > 128 or not desk.spend_code(call.appid, code):
        raise ApiError(40029, "invalid code")
    pure = f"1{_number(_digest(call.appid, code), 3, 9)}{_number(_digest(code), 10**8, 10**9 - 1)}"
    info = {
        "phoneNumber": pure,
        "purePhoneNumber": pure,
        "countryCode": "86",
        "watermark": {"timestamp": desk.now(), "appid": call.appid},
    }
    return {"phone_info": info}


# ---- media -----------------------------------------------------------------------------------------


def _media_kind(call: Call, kinds: tuple[str, ...] = _MEDIA_KINDS) -> str:
    kind = call.query.get("type", "")
    if kind not in kinds:
        raise ApiError(40004, f"invalid media type hint: [type is {', '.join(kinds)}]")
    return kind


def _stored_type(upload: Upload) -> str:
    """A stored file's content type: its bytes' image type, else what the part said."""
    return sniff(upload.data) or (
        upload.content_type if upload.content_type != "text/plain" else "application/octet-stream"
    )


def _upload_temp(desk: Desk, call: Call) -> Answer:
    kind = _media_kind(call)
    upload = call.uploads["media"]
    if not upload.data:
        raise ApiError(40005, "invalid file type hint: [the file is empty]")
    created = desk.now()
    media_id = desk.keep_temp(Media(call.appid, kind, _stored_type(upload), upload.data, created))
    return {"type": kind, "media_id": media_id, "created_at": created}


def _get_temp(desk: Desk, call: Call) -> Answer:
    media = desk.temp(call.appid, call.query["media_id"])
    return Image(media.content_type, media.data)


def _upload_img(desk: Desk, call: Call) -> Answer:
    upload = call.uploads["media"]
    if sniff(upload.data) not in ("image/png", "image/jpeg"):
        raise ApiError(40005, "invalid file type hint: [a jpg or png image]")
    return {"url": f"http://mmbiz.qpic.cn/mmbiz_png/{Desk.ticket(32)}/0"}


def _add_material(desk: Desk, call: Call) -> Answer:
    kind = _media_kind(call)
    upload = call.uploads["media"]
    fields: tuple[tuple[str, str], ...] = ()
    if kind == "video":
        try:
            description = json.loads(call.body.get("description", ""))
        except ValueError:
            description = None
        if not isinstance(description, dict) or not description.get("title"):
            raise _format("a video needs description, a JSON object with title and introduction")
        fields = (("title", str(description["title"])), ("description", str(description.get("introduction", ""))))
    media_id = desk.keep_material(Media(call.appid, kind, _stored_type(upload), upload.data, desk.now(), fields))
    reply: dict[str, Any] = {"media_id": media_id}
    if kind == "image":
        reply["url"] = f"http://mmbiz.qpic.cn/mmbiz_png/{media_id[:32]}/0?wx_fmt=png"
    return reply


def _get_material(desk: Desk, call: Call) -> Answer:
    media = desk.material(call.appid, _str(call, "media_id", required=True) or "")
    if media.kind == "video":
        return {
            **dict(media.fields),
            "down_url": f"http://example.com/video/{hashlib.sha256(media.data).hexdigest()[:16]}",
        }
    return Image(media.content_type, media.data)


def _material_count(desk: Desk, call: Call) -> Answer:
    return desk.material_counts(call.appid)


def _del_material(desk: Desk, call: Call) -> Answer:
    desk.material(call.appid, _str(call, "media_id", required=True) or "", delete=True)
    return {}


# ---- images and OCR --------------------------------------------------------------------------------


def _picture(call: Call) -> tuple[bytes, dict[str, int]]:
    """The image a vision endpoint looks at: its seed and size. An upload is read; a URL cannot
    be fetched from here, so its image is imagined from the URL."""
    upload = call.uploads.get("img")
    if upload is not None:
        width, height = png_size(upload.data) or (1280, 720)
        return upload.data, {"w": width, "h": height}
    url = call.query.get("img_url", "")
    if not url.startswith(("http://", "https://")):
        raise ApiError(101000, "invalid image url hint: [an http(s) URL, or the image as the multipart part img]")
    return url.encode(), {"w": 1280, "h": 720}


def _box(size: dict[str, int], seed: bytes) -> dict[str, dict[str, int]]:
    left, top = _number(seed, 0, size["w"] // 4), _number(seed[8:], 0, size["h"] // 4)
    right, bottom = size["w"] - left, size["h"] - top
    return {
        "left_top": {"x": left, "y": top},
        "right_top": {"x": right, "y": top},
        "right_bottom": {"x": right, "y": bottom},
        "left_bottom": {"x": left, "y": bottom},
    }


def _scan(desk: Desk, call: Call) -> Answer:
    data, size = _picture(call)
    carried = png_text(data) if "img" in call.uploads else f"https://example.com/code/{_digest(data).hex()[:12]}"
    if carried is None:
        return {"code_results": [], "img_size": size}
    return {
        "code_results": [{"type_name": "QR_CODE", "data": carried, "pos": _box(size, _digest(data))}],
        "img_size": size,
    }


def _crop(desk: Desk, call: Call) -> Answer:
    _, size = _picture(call)
    results = []
    for ratio in (call.query.get("ratios") or "1").split(",")[:5]:
        try:
            value = float(ratio)
        except ValueError:
            raise _format("ratios is up to 5 width/height ratios separated by commas") from None
        width = min(size["w"], int(size["h"] * value)) if value > 0 else size["w"]
        height = min(size["h"], int(width / value)) if value > 0 else size["h"]
        results.append({"crop_left": 0, "crop_top": 0, "crop_right": width, "crop_bottom": height})
    return {"results": results, "img_size": size}


def _superresolution(desk: Desk, call: Call) -> Answer:
    data, _ = _picture(call)
    picture = data if "img" in call.uploads else code_image(_digest(data), 560, text=data.decode())
    return {"media_id": desk.keep_temp(Media(call.appid, "image", sniff(picture) or "image/png", picture, desk.now()))}


def _ocr_fields(kind: str, seed: bytes, call: Call) -> dict[str, Any]:
    digits = str(_number(seed, 10**17, 10**18 - 1))
    if kind == "idcard":
        if call.query.get("type") == "scan" and seed[0] % 2:
            return {"type": "Back", "valid_date": "20200101-20300101"}
        return {
            "type": "Front",
            "name": "张三",
            "id": digits,
            "addr": "广东省深圳市南山区",
            "gender": "男",
            "nationality": "汉",
        }
    if kind == "bankcard":
        return {"number": digits[:16]}
    if kind == "bizlicense":
        return {
            "reg_num": digits,
            "serial": digits[:8],
            "legal_representative": "张三",
            "enterprise_name": "示例科技有限公司",
            "type_of_organization": "有限责任公司",
            "address": "广东省深圳市南山区",
            "type_of_enterprise": "有限责任公司",
            "business_scope": "软件开发",
            "registered_capital": "100万元",
            "paid_in_capital": "100万元",
            "valid_period": "长期",
            "registered_date": "2020年1月1日",
        }
    if kind == "drivinglicense":
        return {
            "id_num": digits,
            "name": "张三",
            "sex": "男",
            "nationality": "中国",
            "address": "广东省深圳市南山区",
            "birth_date": "1990-01-01",
            "issue_date": "2015-01-01",
            "car_class": "C1",
            "valid_from": "2015-01-01",
            "valid_to": "2025-01-01",
            "official_seal": "深圳市公安局交通警察支队",
        }
    if kind == "driving":
        return {
            "plate_num": f"粤B{digits[:5]}",
            "vehicle_type": "小型普通客车",
            "owner": "张三",
            "addr": "广东省深圳市南山区",
            "use_character": "非营运",
            "model": "示例牌",
            "vin": digits,
            "engine_num": digits[:8],
            "register_date": "2020-01-01",
            "issue_date": "2020-01-01",
        }
    return {"items": [{"text": "wxcloud emulator", "pos": _box({"w": 1280, "h": 720}, seed)}]}


def _ocr(desk: Desk, call: Call) -> Answer:
    data, size = _picture(call)
    kind = call.endpoint.path.rsplit("/", 1)[1]
    return {**_ocr_fields(kind, _digest(data), call), "img_size": size}


# ---- analysis.getPerformanceData ---------------------------------------------------------------------

_METRICS = (("cost_time", "耗时"), ("uv", "访问人数"))


def _performance(desk: Desk, call: Call) -> Answer:
    span = call.body.get("time")
    begin = span.get("begin_timestamp") if isinstance(span, dict) else None
    end = span.get("end_timestamp") if isinstance(span, dict) else None
    if not all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in (begin, end)):
        raise _format("time is {begin_timestamp, end_timestamp}, in seconds")
    assert isinstance(begin, int) and isinstance(end, int)
    if begin > end:
        raise ApiError(40097, "invalid args hint: [begin_timestamp is after end_timestamp]")
    module = _str(call, "module", required=True) or ""
    if not module.isdigit():
        raise ApiError(40097, "invalid args hint: [module is a number such as 10022]")
    params = call.body.get("params", [])
    if not isinstance(params, list) or not all(
        isinstance(item, dict) and "field" in item and "value" in item for item in params
    ):
        raise _format("params is a list of {field, value}")
    yesterday = datetime.fromtimestamp(desk.now(), _BEIJING).date() - timedelta(days=1)  # nothing of a day not over
    first = datetime.fromtimestamp(begin, _BEIJING).date()
    last = min(datetime.fromtimestamp(end, _BEIJING).date(), yesterday)
    days = [first + timedelta(days=n) for n in range(max(0, (last - first).days + 1))][:366]
    filters = json.dumps(params, sort_keys=True, ensure_ascii=False)
    tables = [
        {
            "id": metric,
            "zh": zh,
            "lines": [{"fields": [_perf_value(call.appid, module, filters, metric, day) for day in days]}],
        }
        for metric, zh in _METRICS
    ]
    return {"data": {"body": {"tables": tables, "count": len(days)}}}


def _perf_value(appid: str, module: str, filters: str, metric: str, day: date) -> dict[str, str]:
    value = _number(_digest(appid, module, filters, metric, day.isoformat()), 50 if metric == "cost_time" else 1, 3000)
    return {"refdate": f"{day.year:04d}{day.month:02d}{day.day:02d}", "value": str(value)}


# ---- others with a plausible answer --------------------------------------------------------------------


def _activity_id(desk: Desk, call: Call) -> Answer:
    return {"activity_id": f"{_digest(call.appid, Desk.ticket()).hex()[:32]}#", "expiration_time": desk.now() + 86400}


# The endpoints with an answer of their own, by path (every other one answers ok, or an image).
_HANDLERS: dict[str, Handler] = {
    "/wxa/msg_sec_check": _msg_sec_check,
    "/wxa/img_sec_check": _img_sec_check,
    "/wxa/media_check_async": _media_check_async,
    "/wxa/getuserriskrank": _user_risk_rank,
    "/wxa/getwxacodeunlimit": _code_unlimited,
    "/wxa/getwxacode": _code_limited,
    "/cgi-bin/wxaapp/createwxaqrcode": _code_limited,
    "/wxa/generatescheme": _scheme,
    "/wxa/generatenfcscheme": _nfc_scheme,
    "/wxa/generate_urllink": _url_link,
    "/wxa/queryscheme": _query_link,
    "/wxa/query_urllink": _query_link,
    "/wxa/genwxashortlink": _short_link,
    "/cgi-bin/message/subscribe/send": _subscribe_send,
    "/wxa/business/getuserphonenumber": _phone_number,
    "/cgi-bin/media/upload": _upload_temp,
    "/cgi-bin/media/get": _get_temp,
    "/cgi-bin/media/uploadimg": _upload_img,
    "/cgi-bin/material/add_material": _add_material,
    "/cgi-bin/material/get_material": _get_material,
    "/cgi-bin/material/get_materialcount": _material_count,
    "/cgi-bin/material/del_material": _del_material,
    "/cv/img/qrcode": _scan,
    "/cv/img/aicrop": _crop,
    "/cv/img/superresolution": _superresolution,
    "/cv/ocr/comm": _ocr,
    "/cv/ocr/idcard": _ocr,
    "/cv/ocr/bankcard": _ocr,
    "/cv/ocr/bizlicense": _ocr,
    "/cv/ocr/drivinglicense": _ocr,
    "/cv/ocr/driving": _ocr,
    "/wxa/business/performance/boot": _performance,
    "/cgi-bin/message/wxopen/activityid/create": _activity_id,
}
