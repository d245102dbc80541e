"""SMS behind one small interface (`SmsGateway.send`), with one adapter: Aliyun SMS (阿里云短信).

Aliyun's `SendSms` is an RPC-style HTTP API (version 2017-05-25): the parameters are posted as
a form, signed with HMAC-SHA1 over the sorted, percent-encoded parameters ("signature
version 1.0"), and the answer is JSON with ``"Code": "OK"`` on success. A message goes out
through a template the operator registered and had approved in Aliyun's console (SMS
templates cannot carry free text); Shouhou fills its variables ``${number}`` (the RMA or case
number, may be empty) and ``${title}`` (the message's subject, cut to 35 characters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Protocol

from shouhou.notify.models import Channel, ChannelKind
from shouhou.notify.transports.email import DeliveryError

TIMEOUT = 10


class SmsGateway(Protocol):
    def send(self, *, phone: str, number: str, title: str) -> None: ...


def percent_encode(value: str) -> str:
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def params(self, *, phone: str, number: str, title: str, now: datetime | None = None) -> dict[str, str]:
        now = now or datetime.now(UTC)
        params = {
            "AccessKeyId": self.channel.key_id, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou", "SignName": self.channel.sign_name, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "TemplateCode": self.channel.template_code,
            "TemplateParam": json.dumps({"number": number, "title": title[:35]}, ensure_ascii=False),
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.channel.secret)
        return params

    def send(self, *, phone: str, number: str, title: str) -> None:
        if urllib.parse.urlsplit(self.channel.url).scheme not in ("http", "https"):  # never file: or a custom opener
            raise DeliveryError("the SMS gateway URL must be http(s)", permanent=True)
        data = urllib.parse.urlencode(self.params(phone=phone, number=number, title=title)).encode()
        request = urllib.request.Request(self.channel.url, data=data, method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310  (http(s), checked above)
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                answer = json.loads(exc.read() or b"{}")
            except ValueError:
                raise DeliveryError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500) from exc
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
        code = str(answer.get("Code", ""))
        if code != "OK":
            transient = "LIMIT" in code.upper() or code.startswith("Throttling") or code == "ServiceUnavailable"
            raise DeliveryError(f"{code} {answer.get('Message', '')}"[:500], permanent=not transient)


def gateway(channel: Channel) -> SmsGateway:
    if channel.kind == ChannelKind.SMS_ALIYUN:
        return AliyunSms(channel)
    raise DeliveryError(f"channel kind {channel.kind} is not an SMS gateway", permanent=True)
