"""Group robots and SMS through the outbox, against HTTP receivers started by the test on
loopback. The receivers check each vendor's documented format and signature with their own
code, not ours."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from shouhou.notify.models import Channel, Message, Rule
from shouhou.notify.sender import backoff, outbox_send_run
from tests.notify.conftest import approve

pytestmark = pytest.mark.django_db
SECRET = "SEC0123456789abcdef"


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """One local HTTP server; `answers` are popped per request (status, JSON), then 200 `ok`."""

    ok: dict[str, Any]
    posts: list[Post] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                path, _, query = self.path.partition("?")
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append(Post(path, dict(urllib.parse.parse_qsl(query)), body,
                                           self.headers["Content-Type"]))
                status, answer = receiver.answers.pop(0) if receiver.answers else (200, receiver.ok)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _receiver(ok: dict[str, Any]) -> Iterator[Receiver]:
    receiver = Receiver(ok)
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def wecom() -> Iterator[Receiver]:
    yield from _receiver({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def dingtalk() -> Iterator[Receiver]:
    yield from _receiver({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def feishu() -> Iterator[Receiver]:
    yield from _receiver({"code": 0, "msg": "success", "data": {}})


@pytest.fixture
def fake_aliyun_sms() -> Iterator[Receiver]:
    """A local fake of Aliyun SMS's SendSms HTTP API (not the real service)."""
    yield from _receiver({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})


def _channel(name: str, kind: str, url: str, **fields: Any) -> Channel:
    channel = Channel.objects.create(name=name, kind=kind, url=url, **fields)
    Rule.objects.create(event="rma.return_authorisation", audience="channel", channel=channel, inbox=False, email=False)
    return channel


def test_each_robot_receives_one_correctly_formed_and_signed_message(
        settings, tmp_path, wecom, dingtalk, feishu, submitted_line, service_center):
    settings.MEDIA_ROOT = tmp_path
    _channel("售后群（企业微信）", "wecom", f"{wecom.url}/cgi-bin/webhook/send?key=K1")
    _channel("售后群（钉钉）", "dingtalk", f"{dingtalk.url}/robot/send?access_token=T1", secret=SECRET)
    _channel("售后群（飞书）", "feishu", f"{feishu.url}/open-apis/bot/v2/hook/H1", secret=SECRET)
    line = approve(submitted_line, service_center)
    before = time.time()
    assert outbox_send_run().sent == 4  # three robots and the dealer's email (.eml in the test settings)
    number = line.order.number

    [post] = wecom.posts
    assert (post.path, post.query, post.content_type) == ("/cgi-bin/webhook/send", {"key": "K1"},
                                                          "application/json; charset=utf-8")
    body = post.json()
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    assert f"[{number}] 同意返厂检测" in body["markdown"]["content"]

    [post] = dingtalk.posts
    assert post.query["access_token"] == "T1"
    timestamp = int(post.query["timestamp"])
    assert abs(timestamp / 1000 - before) < 3600  # DingTalk refuses timestamps more than an hour off
    expected = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(post.query["sign"]) == expected  # parse_qsl already url-decoded it
    body = post.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith(f"[{number}]")
    assert "同意返厂检测" in body["markdown"]["text"]

    [post] = feishu.posts
    body = post.json()
    ts = int(body["timestamp"])
    assert abs(ts - before) < 3600 and isinstance(body["timestamp"], str)
    expected = hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    assert base64.b64decode(body["sign"]) == expected
    assert body["msg_type"] == "text" and body["content"]["text"].startswith(f"[{number}] 同意返厂检测")


def test_a_robot_that_is_rate_limited_is_retried(settings, tmp_path, wecom, submitted_line, service_center):
    settings.MEDIA_ROOT = tmp_path
    _channel("售后群", "wecom", f"{wecom.url}/send?key=K")
    wecom.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (502, {})]
    approve(submitted_line, service_center)
    now = timezone.now()
    outbox_send_run(now=now)
    robot = Message.objects.get(transport="robot")
    assert (robot.state, robot.tries) == ("pending", 1) and "45009" in robot.last_error
    outbox_send_run(now=now + backoff(1))
    robot.refresh_from_db()
    assert (robot.state, robot.tries, robot.last_error) == ("pending", 2, "HTTP 502")
    outbox_send_run(now=now + backoff(1) + backoff(2))
    robot.refresh_from_db()
    assert (robot.state, len(wecom.posts)) == ("sent", 3)


def test_a_wrong_webhook_key_fails_for_good(settings, tmp_path, dingtalk, submitted_line, service_center):
    settings.MEDIA_ROOT = tmp_path
    _channel("售后群", "dingtalk", f"{dingtalk.url}/robot/send?access_token=WRONG", secret=SECRET)
    dingtalk.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    approve(submitted_line, service_center)
    outbox_send_run()
    robot = Message.objects.get(transport="robot")
    assert robot.state == "failed" and "310000" in robot.last_error


def _aliyun_signature(params: dict[str, str], secret: str) -> str:
    """Aliyun RPC signature v1, as its documentation spells it, written here independently."""

    def enc(value: str) -> str:
        return urllib.parse.quote(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    string_to_sign = "POST&%2F&" + enc(canonical)
    return base64.b64encode(hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


def test_sms_goes_to_each_phone_through_the_aliyun_api_shape(settings, tmp_path, fake_aliyun_sms, submitted_line,
                                                             service_center):
    settings.MEDIA_ROOT = tmp_path
    _channel("值班手机", "sms_aliyun", f"{fake_aliyun_sms.url}/", key_id="LTAI-test", secret="s3cr3t*~ ",
             sign_name="售后服务", template_code="SMS_1234", phones="13800000000, 13900000000")
    line = approve(submitted_line, service_center)
    outbox_send_run()
    assert sorted(Message.objects.filter(transport="sms").values_list("address", "state")) == [
        ("13800000000", "sent"), ("13900000000", "sent")]
    phones = []
    for post in fake_aliyun_sms.posts:
        assert post.content_type == "application/x-www-form-urlencoded"
        params = dict(urllib.parse.parse_qsl(post.body.decode()))
        signature = params.pop("Signature")
        assert signature == _aliyun_signature(params, "s3cr3t*~ ")
        assert {k: params[k] for k in ("Action", "Version", "SignatureMethod", "SignatureVersion", "Format",
                                       "AccessKeyId", "SignName", "TemplateCode")} == {
            "Action": "SendSms", "Version": "2017-05-25", "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
            "Format": "JSON", "AccessKeyId": "LTAI-test", "SignName": "售后服务", "TemplateCode": "SMS_1234"}
        variables = json.loads(params["TemplateParam"])
        assert variables["number"] == line.order.number and len(variables["title"]) <= 35
        phones.append(params["PhoneNumbers"])
    assert sorted(phones) == ["13800000000", "13900000000"]


def test_an_sms_refused_by_the_provider_fails_and_a_throttled_one_waits(settings, tmp_path, fake_aliyun_sms,
                                                                        submitted_line, service_center):
    settings.MEDIA_ROOT = tmp_path
    _channel("值班手机", "sms_aliyun", f"{fake_aliyun_sms.url}/", key_id="K", secret="S", sign_name="售后",
             template_code="SMS_1", phones="13800000000,13900000000")
    fake_aliyun_sms.answers = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "bad number"}),
                               (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"})]
    approve(submitted_line, service_center)
    outbox_send_run()
    assert sorted(Message.objects.filter(transport="sms").values_list("state", flat=True)) == ["failed", "pending"]
