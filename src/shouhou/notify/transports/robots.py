"""Group robots: 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书 (Feishu/Lark) webhooks.

Each vendor's documented shape:

- WeCom: POST the webhook URL with ``{"msgtype": "markdown", "markdown": {"content": …}}``;
  success is ``{"errcode": 0}``. No signature (the key is in the URL).
- DingTalk with 加签: append ``&timestamp=<ms>&sign=<s>`` where s is
  ``urlencode(base64(HMAC-SHA256(key=secret, msg="<ms>\\n<secret>")))``; body
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``; success ``{"errcode": 0}``.
- Feishu with 签名校验: body ``{"timestamp": "<seconds>", "sign": <s>, "msg_type": "text",
  "content": {"text": …}}`` where s is ``base64(HMAC-SHA256(key="<seconds>\\n<secret>", msg=""))``;
  success ``{"code": 0}`` (older endpoints answer ``{"StatusCode": 0}``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from shouhou.notify.models import Channel, ChannelKind
from shouhou.notify.render import Rendered
from shouhou.notify.transports.email import DeliveryError

TIMEOUT = 10
# Vendor codes meaning "too many messages now": worth retrying later.
RATE_LIMITED = {45009, 130101, 9499, 11232}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _markdown(rendered: Rendered, link: str) -> str:
    body = "\n".join(f"> {line}" if line else ">" for line in rendered.text.splitlines())
    return f"**{rendered.subject}**\n{body}" + (f"\n[查看 / Open]({link})" if link else "")


def request_for(channel: Channel, rendered: Rendered, link: str, *,
                now: float | None = None) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) of one post to CHANNEL."""
    now = time.time() if now is None else now
    url = channel.url
    if channel.kind == ChannelKind.WECOM:
        return url, {"msgtype": "markdown", "markdown": {"content": _markdown(rendered, link)}}
    if channel.kind == ChannelKind.DINGTALK:
        if channel.secret:
            ms = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(channel.secret, ms))
            url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={sign}"
        text = f"#### {rendered.subject}\n\n" + rendered.text.replace("\n", "\n\n")
        if link:
            text += f"\n\n[查看 / Open]({link})"
        return url, {"msgtype": "markdown", "markdown": {"title": rendered.subject, "text": text}}
    if channel.kind == ChannelKind.FEISHU:
        text = f"{rendered.subject}\n{rendered.text}" + (f"\n{link}" if link else "")
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if channel.secret:
            seconds = int(now)
            body = {"timestamp": str(seconds), "sign": feishu_sign(channel.secret, seconds), **body}
        return url, body
    raise DeliveryError(f"channel kind {channel.kind} is not a robot", permanent=True)


def post(channel: Channel, rendered: Rendered, link: str) -> None:
    """Post one message; raises DeliveryError (permanent for a refusal that a retry cannot fix)."""
    url, body = request_for(channel, rendered, link)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # never file: or a custom opener
        raise DeliveryError("the robot URL must be http(s)", permanent=True)
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  (http(s), checked above)
            answer = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code != 429) from exc
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0"):
        text = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError(f"{channel.get_kind_display()} {code} {text}"[:500],
                            permanent=int(code) not in RATE_LIMITED if str(code).lstrip("-").isdigit() else True)
